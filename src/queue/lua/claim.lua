-- claim: ack finished tasks, recover expired leases and due retries, then lease up to N tasks
-- KEYS: the common layout (common.lua)
-- ARGV[1] lease ms  ARGV[2] max tasks to claim  ARGV[3] claim token  ARGV[4] consumer name
-- ARGV[5] max attempts  ARGV[6] dead-set cap  ARGV[7] consumer instance (for its receipt)
-- ARGV[8..] pairs of (id, token) to acknowledge first
-- returns {now, next retry ms, next lease expiry ms, n acked, ack code..., id, body, attempt, ...}
-- (the two times only when nothing was claimed, 0 when there is none; body false when missing)
local lease, want, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local consumer, max_att, dead_cap = ARGV[4], ARGV[5], tonumber(ARGV[6])
receipt_of = ARGV[7]
local now = now_ms()
local out = { now, 0, 0 }
-- Numbers handed to redis.call are printed with %.14g (a costly float conversion each time):
-- the times are formatted once, as integers, and counts are passed as strings.
local now_s = string.format('%d', now)
local pruned_at, recover_at = checks_read()
-- The checks field is written back only when one of the two times moved.
local checks_moved = false

local n_ack = (#ARGV - 7) / 2
local n_done = 0
out[#out + 1] = n_ack
for i = 0, n_ack - 1 do
  local flag, fresh = ack(ARGV[8 + 2 * i], ARGV[9 + 2 * i])
  out[#out + 1] = flag
  n_done = n_done + fresh
end
receipt_write(now)

-- Recovery runs here, bounded per call, so no operator and no scan of the whole in-flight set
-- is needed: a lease that expired goes back to its old place in line, or to the dead set. It is
-- skipped while no lease or retry can be due yet ('checks', common.lua): most claims skip it.
local back = 0
if recover_at <= now then
  local expired = redis.call('ZRANGEBYSCORE', K_INFLIGHT, '-inf', now_s, 'LIMIT', '0', '16')
  for _, id in ipairs(expired) do
    local _, _, m, n, score = get_claim(id)
    if n == nil then
      n, score = get_state(id)
    end
    unlease(id)
    if n == nil then
      bury(id, now, 'lease expired and its state was lost', 0, dead_cap)
    elseif m ~= nil and n >= m then
      set_state(id, n, score)
      bury(id, now, 'lease expired on attempt ' .. n .. ' of ' .. m, n, dead_cap)
    else
      set_state(id, n, score)
      redis.call('ZADD', K_PENDING, score, id)
      redis.call('HINCRBY', K_STATS, 'recovered', 1)
      back = back + 1
    end
  end
  local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now_s, 'LIMIT', '0', '16')
  for _, id in ipairs(due) do
    local _, score = get_state(id)
    redis.call('ZREM', K_DELAYED, id)
    if score then
      redis.call('ZADD', K_PENDING, score, id)
      back = back + 1
    else
      bury(id, now, 'retry state was lost', 0, dead_cap)
    end
  end
  -- Exact again: the next deadline or retry time left (more than 16 due: now, check again).
  local next_at = NEVER
  for _, k in ipairs({ K_INFLIGHT, K_DELAYED }) do
    local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if #first > 0 then
      next_at = math.min(next_at, tonumber(first[2]))
    end
  end
  recover_at, checks_moved = next_at, true
end

local claimed = 0
local deadline = string.format('%d', now + lease)
local claim = token .. '|' .. now_s .. '|' .. max_att .. '|'
local first_claim = claim .. '1|'
while claimed < want do
  local head = redis.call('ZPOPMIN', K_PENDING)
  if #head == 0 then
    break
  end
  local id, score = head[1], head[2]
  -- Attempts and place in line ride in the claim while in flight (common.lua's layout).
  local n, c = 1, first_claim
  local prev = redis.call('HGET', K_STATE, id)
  if prev then
    n = (tonumber(string.match(prev, '^(%d+)|')) or 0) + 1
    c = claim .. string.format('%d|', n)
    redis.call('HDEL', K_STATE, id)
  end
  redis.call('ZADD', K_INFLIGHT, deadline, id)
  redis.call('HSET', K_CLAIMS, id, c .. score .. '|' .. consumer)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', K_TASKS, id)
  out[#out + 1] = n
  claimed = claimed + 1
end

-- What came back beyond what this claim took is for idle consumers, who wait on the wake list.
if back > claimed then
  wake(back - claimed)
end
if claimed > 0 and now + lease < recover_at then
  recover_at, checks_moved = now + lease, true
end
seen(consumer, now, n_done)
local field, value = count(now, n_done, 0)
local pruned = prune_consumers(pruned_at, now)
stats_write(field, value, pruned, (checks_moved or pruned ~= pruned_at) and recover_at or nil)
if claimed == 0 then
  -- Nothing is waiting, so every marker is stale; dropping them keeps idle consumers blocked.
  -- (A call that asked for no task, only acks and recovery, may leave tasks waiting.)
  if redis.call('ZCARD', K_PENDING) == 0 then
    redis.call('DEL', K_WAKE)
  end
  -- Tell the caller when recovery may have work, so it can block until then instead of polling.
  local d = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
  if #d > 0 then
    out[2] = tonumber(d[2])
  end
  local f = redis.call('ZRANGE', K_INFLIGHT, 0, 0, 'WITHSCORES')
  if #f > 0 then
    out[3] = tonumber(f[2])
  end
end
return out
