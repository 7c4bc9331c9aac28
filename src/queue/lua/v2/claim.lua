-- v2 claim: the common case of a claim, acks riding on it: acknowledge the claims of ARGV[7..]
-- (each one ZREM of its in-flight member, which checks the token), then lease up to `want`
-- waiting tasks
-- KEYS: pending, inflight, tasks, stats; then consumers when ARGV[6] is not "", and taken when
-- it acks two tasks or more (the keys a call does not need are not sent: each costs ~1,000)
-- ARGV[1] lease ms  ARGV[2] want (1..1000)  ARGV[3] token  ARGV[4] consumer name
-- ARGV[5] max attempts  ARGV[6] "" or the tasks owed to the consumer's entry (v1's ARGV[8])
-- ARGV[7..] the in-flight members (leases) to acknowledge
-- returns {fast until ms, then per task leased: member, record}; "fast until ms|codes", one digit
-- per ack (common.lua), when not every ack was this call's (ACK_ACKED); the member
-- is the lease the consumer acks, extends or fails with (it carries the id and the attempt),
-- the record is the task's (its body after the 16-digit score, and after the head of a task
-- claimed before), for the consumer to cut. Nothing leased: no member, and the consumer asks
-- claim_full.lua (which recovers, promotes, tells when work falls due, drops the wake markers).
-- Before any write, errors RPQLAYOUT (not a layout-2 shard) and RPQFULL (recovery, a prune,
-- aging or controls, or the ack of one task not held: claim_full.lua's work).
local t = redis.call('TIME')
local now_s = t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
local checks = redis.call('HGET', K_STATS, 'checks') or ''
-- "2--|fast until|pruned at|recover at|aging ms": the flags '--' say no aging, no controls; the
-- times are 13 digits, so comparing them as strings compares the times (until the year 2286).
if string.sub(checks, 1, 4) ~= '2--|' then
  if string.sub(checks, 1, 1) ~= LAYOUT then
    return redis.error_reply('RPQLAYOUT ' .. (checks ~= '' and 'layout 1' or 'no layout'))
  end
  return redis.error_reply('RPQFULL aging or controls')
end
local fast_until = string.sub(checks, 5, 17)
if fast_until <= now_s then
  return redis.error_reply('RPQFULL recovery or pruning due')
end
local n_ack = #ARGV - 6
local out = { fast_until }
local acked = n_ack
if n_ack == 1 then
  -- A ZREM that removed nothing wrote nothing: claim_full.lua can still tell this ack apart.
  local m = ARGV[7]
  if redis.call('ZREM', K_INFLIGHT, m) == 0 then
    return redis.error_reply('RPQFULL an ack of a task not held')
  end
  redis.call('HDEL', K_TASKS, string.sub(m, 1, string.find(m, '\t', 1, true) - 1))
elseif n_ack > 1 then
  local ids = {}
  for k = 1, n_ack do
    local m = ARGV[6 + k]
    ids[k] = string.sub(m, 1, string.find(m, '\t', 1, true) - 1)
  end
  local removed = redis.call('ZREM', K_INFLIGHT, unpack(ARGV, 7))
  if removed < n_ack then
    -- Rare: some were not held. A claim leaves inflight by its holder's call or by lease
    -- recovery or a cancel, which record it in 'taken' (a call resent after a lost reply goes
    -- as claim_full.lua, which acks one by one): the members not there were this call's.
    local keys = {}
    for k = 1, n_ack do
      keys[k] = ids[k] .. '\t' .. string.match(ARGV[6 + k], '^[^\t]*\t([^\t]*)')
    end
    local taken = redis.call('HMGET', KEYS[#KEYS], unpack(keys))
    local codes, mine, dup = {}, {}, {}
    for k = 1, n_ack do
      if taken[k] or dup[ARGV[6 + k]] then
        codes[k] = redis.call('HEXISTS', K_TASKS, ids[k]) == 1 and ACK_LOST or ACK_FINISHED
      else
        dup[ARGV[6 + k]] = true
        codes[k] = ACK_ACKED
        mine[#mine + 1] = ids[k]
      end
    end
    ids, acked = mine, #mine
    out[1] = fast_until .. '|' .. table.concat(codes)
  end
  if #ids > 0 then
    redis.call('HDEL', K_TASKS, unpack(ids))
  end
end

local want = ARGV[2]
local lease = tonumber(ARGV[1])
local deadline = string.format('%d', tonumber(now_s) + lease)
local max_att = ARGV[5]
-- Every member of this call: id, then `mid` (token, claimed ms), the attempt, max attempts, the
-- place in line and `tail` (consumer); a task claimed before has its attempts in its record's
-- head. The place in line makes a member longer than 64 bytes, which keeps `inflight` a
-- skiplist: Redis stores a small sorted set of short members as one packed list (while every
-- member is at most zset-max-listpack-value, 64, bytes), where each ZADD and ZREM scans and
-- moves the list, about 7,000 instructions a member at prefetch 16 against 2,500 (measured).
local mid = '\t' .. ARGV[3] .. '\t' .. now_s .. '\t'
local tail = '\t' .. ARGV[4]
local first_mid = mid .. '1\t'
local np
if want == '1' then
  -- One task: ZPOPMIN (its reply's score, a double printed by Redis, costs about a call's
  -- worth; one call instead of two is still cheaper).
  local popped = redis.call('ZPOPMIN', K_PENDING)
  np = #popped / 2
  if np == 1 then
    local id = popped[1]
    local rec = redis.call('HGET', K_TASKS, id)
    local m, a = max_att, first_mid
    if rec and string.byte(rec, 17) ~= 123 then
      a = mid .. string.format('%d', tonumber(string.match(rec, '^(%d+)|', 17)) + 1) .. '\t'
    end
    -- A task with its own max attempts has "m" in its body's head, before "t" (v1's
    -- task_max_attempts); with no head, a 13-digit created time and no settings, "t" is byte 37.
    if rec and string.byte(rec, 37) ~= 116 then
      m = string.match(rec, '{"c":%d+,[^t]*"m":(%d+)') or max_att
    end
    local member = id .. a .. m .. '\t' .. popped[2] .. tail
    redis.call('ZADD', K_INFLIGHT, deadline, member)
    out[2], out[3] = member, rec or false
  end
else
  -- Several: their ids in line, then the line cut (no scores: a reply's double costs ~3,400
  -- instructions to print; the place in line is in the record).
  -- (Ranks go as strings: a number handed to redis.call is printed as a double.)
  local ids = redis.call('ZRANGE', K_PENDING, '0', string.format('%d', tonumber(want) - 1))
  np = #ids
  if np > 0 then
    redis.call('ZREMRANGEBYRANK', K_PENDING, '0', string.format('%d', np - 1))
    local recs = redis.call('HMGET', K_TASKS, unpack(ids))
    local zargs = {}
    for k = 1, np do
      local id, rec = ids[k], recs[k]
      local m, a = max_att, first_mid
      if rec and string.byte(rec, 17) ~= 123 then
        a = mid .. string.format('%d', tonumber(string.match(rec, '^(%d+)|', 17)) + 1) .. '\t'
      end
      if rec and string.byte(rec, 37) ~= 116 then
        m = string.match(rec, '{"c":%d+,[^t]*"m":(%d+)') or max_att
      end
      local member = id .. a .. m .. '\t' .. string.sub(rec or '0', 1, 16) .. tail
      zargs[2 * k - 1], zargs[2 * k] = deadline, member
      out[2 * k], out[2 * k + 1] = member, rec or false
    end
    redis.call('ZADD', K_INFLIGHT, unpack(zargs))
  end
end

-- A lease due before the first thing the checks know of lowers 'recover at' (and fast until).
if np > 0 and deadline < string.sub(checks, 33, 45) then
  local fu = math.min(tonumber(deadline), tonumber(fast_until))
  redis.call('HSET', K_STATS, 'checks', string.format('2--|%013d|%s|%s|%s', fu,
    string.sub(checks, 19, 31), deadline, string.sub(checks, 47)))
  out[1] = string.format('%013d', fu) .. string.sub(out[1], 14)
end
if ARGV[6] ~= '' then
  local v = redis.call('HGET', KEYS[5], ARGV[4])
  local bar = v and string.find(v, '|', 1, true)
  local total = acked + tonumber(ARGV[6]) + (bar and tonumber(string.sub(v, bar + 1)) or 0)
  redis.call('HSET', KEYS[5], ARGV[4], now_s .. '|' .. string.format('%d', total))
end
-- The finished work of this second: one HINCRBY. The total 'done' gets the seconds that left
-- the last minute, folded in by the first count of each second; a reader adds the d: fields
-- still there to it (v1 counted both, two calls a claim).
if acked > 0 then
  local sec = t[1]
  local by = acked == 1 and '1' or string.format('%d', acked)
  if redis.call('HINCRBY', K_STATS, 'd:' .. sec, by) == acked then
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
return out
