-- v2 claim_full: everything claim.lua leaves out, and no leasing (the consumer calls claim.lua
-- again after it): acks with their exact codes, recovery of expired leases and due retries, the
-- prune of consumers and 'taken', the checks made exact again, and when nothing waits, the wake
-- markers dropped and when work falls due. Prototype: promotion of scheduled tasks, expiry,
-- aging and controls are v1's code with v2's record head, and are not repeated here.
-- KEYS: pending, inflight, tasks, stats, consumers, wake, delayed, scheduled, expires, dead,
-- taken (docs/layout-v2.md)
-- ARGV[1] lease ms  ARGV[2] want  ARGV[3] token  ARGV[4] consumer  ARGV[5] max attempts
-- ARGV[6] "" or the tasks owed to the consumer's entry  ARGV[7] dead-set cap
-- ARGV[8..] in-flight members to acknowledge
-- returns {now, fast until, n acked, code per ack..., next retry, next lease end, next due}
local K_CONSUMERS, K_WAKE, K_DELAYED, K_SCHEDULED = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_EXPIRES, K_DEAD, K_TAKEN = KEYS[9], KEYS[10], KEYS[11]
local NEVER = '9999999999999'
local t = redis.call('TIME')
local now_s = t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
local now = tonumber(now_s)
local checks = redis.call('HGET', K_STATS, 'checks') or ''
if string.sub(checks, 1, 1) ~= LAYOUT then
  return redis.error_reply('RPQLAYOUT ' .. (checks ~= '' and 'layout 1' or 'no layout'))
end
local pruned_at = tonumber(string.sub(checks, 19, 31))
local aging = string.sub(checks, 47)
local dead_cap = tonumber(ARGV[7])

-- id, token, claimed, attempt, max, place in line, consumer of an in-flight member
local function parse(m)
  return string.match(m, '^([^\t]*)\t([^\t]*)\t(%d+)\t(%d+)\t(%d+)\t(%d+)\t(.*)$')
end
-- A record's score (place in line), attempts, last error and body
local function unpack_record(rec)
  local score = string.sub(rec, 1, 16)
  if string.byte(rec, 17) == 123 then
    return score, 0, nil, string.sub(rec, 17)
  end
  local a, elen, rest = string.match(rec, '^(%d+)|(%d+)|()', 17)
  local e = tonumber(elen)
  return score, tonumber(a), string.sub(rec, rest, rest + e - 1), string.sub(rec, rest + e)
end
local function record(score, n, err, body)
  err = err or ''
  return score .. string.format('%d|%d|', n, #err) .. err .. body
end

local n_ack = #ARGV - 7
local out = { now_s, '0', n_ack }
local acked = 0
for k = 1, n_ack do
  local m = ARGV[7 + k]
  local id, token = parse(m)
  id = id or string.sub(m, 1, (string.find(m, '\t', 1, true) or #m + 1) - 1)
  local code
  if redis.call('ZREM', K_INFLIGHT, m) == 1 then
    redis.call('HDEL', K_TASKS, id)
    code, acked = ACK_ACKED, acked + 1
  elseif redis.call('HEXISTS', K_TASKS, id) == 1 then
    code = ACK_LOST
  elseif redis.call('HEXISTS', K_TAKEN, id .. '\t' .. (token or '')) == 1 then
    -- Its lease was taken back, and someone else finished it since.
    code = ACK_FINISHED
  else
    -- Gone, and no one took the lease: only this claim's holder could end it, by an earlier
    -- call of its own whose reply was lost.
    code = ACK_EARLIER
  end
  out[3 + k] = code
end

-- Recovery of expired leases, a bounded number a call: the member says all it needs.
local back = 0
local expired = redis.call('ZRANGEBYSCORE', K_INFLIGHT, '-inf', now_s, 'LIMIT', '0', '16')
for _, m in ipairs(expired) do
  redis.call('ZREM', K_INFLIGHT, m)
  local cancelled = string.byte(m, 1) == 126
  local id, token, _, n, max_att = parse(cancelled and string.sub(m, 2) or m)
  redis.call('HSET', K_TAKEN, id .. '\t' .. token, now_s)
  local rec = redis.call('HGET', K_TASKS, id)
  if cancelled or not rec then
    redis.call('HDEL', K_TASKS, id)
  else
    local score, _, err, body = unpack_record(rec)
    n = tonumber(n)
    if n >= tonumber(max_att) then
      local why = 'lease expired on attempt ' .. n .. ' of ' .. max_att
      redis.call('HSET', K_TASKS, id, record(score, n, why, body))
      redis.call('ZADD', K_DEAD, now_s, id)
      redis.call('HINCRBY', K_STATS, 'dead', 1)
    else
      redis.call('HSET', K_TASKS, id, record(score, n, err, body))
      redis.call('ZADD', K_PENDING, score, id)
      redis.call('HINCRBY', K_STATS, 'recovered', 1)
      back = back + 1
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now_s, 'LIMIT', '0', '16')
for _, id in ipairs(due) do
  redis.call('ZREM', K_DELAYED, id)
  local rec = redis.call('HGET', K_TASKS, id)
  if rec then
    redis.call('ZADD', K_PENDING, string.sub(rec, 1, 16), id)
    back = back + 1
  end
end
if back > 0 then
  redis.call('RPUSH', K_WAKE, '1')
end
local over = redis.call('ZCARD', K_DEAD) - dead_cap
if over > 0 then
  for _, oid in ipairs(redis.call('ZRANGE', K_DEAD, 0, over - 1)) do
    redis.call('ZREM', K_DEAD, oid)
    redis.call('HDEL', K_TASKS, oid)
  end
end

-- The prune, every 10 s: consumers and leases taken back, a day after their time.
if now - pruned_at >= 10000 then
  for _, k in ipairs({ K_CONSUMERS, K_TAKEN }) do
    local cursor_field = k == K_TAKEN and 'taken_cursor' or 'prune_cursor'
    local page = redis.call('HSCAN', k, redis.call('HGET', K_STATS, cursor_field) or '0',
      'COUNT', 100)
    local fields = page[2]
    for i = 1, #fields, 2 do
      local at = tonumber(string.match(fields[i + 1], '^(%d+)')) or 0
      if now - at > 86400000 then
        redis.call('HDEL', k, fields[i])
      end
    end
    redis.call('HSET', K_STATS, cursor_field, page[1])
  end
  pruned_at = now
end

local heads = {}
local recover = tonumber(NEVER)
for i, k in ipairs({ K_DELAYED, K_INFLIGHT, K_SCHEDULED, K_EXPIRES }) do
  local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
  heads[i] = #first > 0 and tonumber(first[2]) or 0
  if #first > 0 then
    recover = math.min(recover, tonumber(first[2]))
  end
end
local fast_until = math.min(recover, pruned_at + 10000)
local flags = aging ~= '0' and 'a-' or '--'
redis.call('HSET', K_STATS, 'checks',
  string.format('2%s|%013d|%013d|%013d|%s', flags, fast_until, pruned_at, recover, aging))
out[2] = string.format('%013d', fast_until)
if ARGV[6] ~= '' then
  local v = redis.call('HGET', K_CONSUMERS, ARGV[4])
  local bar = v and string.find(v, '|', 1, true)
  local total = acked + tonumber(ARGV[6]) + (bar and tonumber(string.sub(v, bar + 1)) or 0)
  redis.call('HSET', K_CONSUMERS, ARGV[4], now_s .. '|' .. string.format('%d', total))
end
if acked > 0 then
  -- As claim.lua counts, the first count of a second folding the seconds that left the minute.
  local sec = string.sub(now_s, 1, -4)
  if redis.call('HINCRBY', K_STATS, 'd:' .. sec, string.format('%d', acked)) == acked then
    local last = tonumber(redis.call('HGET', K_STATS, 'ring') or '') or 0
    local s = tonumber(sec)
    local gone = {}
    for x = math.max(last - 59, 1), math.min(last, s - 60) do
      gone[#gone + 1] = 'd:' .. x
    end
    if #gone > 0 then
      local sum = 0
      for _, v in ipairs(redis.call('HMGET', K_STATS, unpack(gone))) do
        sum = sum + (tonumber(v) or 0)
      end
      if sum > 0 then
        redis.call('HINCRBY', K_STATS, 'done', string.format('%d', sum))
      end
      redis.call('HDEL', K_STATS, unpack(gone))
    end
    redis.call('HSET', K_STATS, 'ring', sec)
  end
end
if tonumber(ARGV[2]) > 0 and back == 0 and redis.call('ZCARD', K_PENDING) == 0 then
  redis.call('DEL', K_WAKE)
end
out[#out + 1] = heads[1]
out[#out + 1] = heads[2]
out[#out + 1] = heads[3]
return out
