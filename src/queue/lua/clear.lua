-- clear: remove every task of the shard (waiting, scheduled, retrying, dead), and cancel those in
-- flight as `cancel` does; counters, settings, recurring schedules, kept results and the
-- consumers' entries stay (`clear --all` drops the last three after it)
-- KEYS: the common layout (common.lua)
-- ARGV[1..] the place in KEYS of the set of every state (queue::STATES, in its order)
-- returns the count of every state, in that order
local out, waiting, sets = {}, 1, {}
for i, k in ipairs(ARGV) do
  local key = KEYS[tonumber(k)]
  out[i] = redis.call('ZCARD', key)
  if key == K_PENDING then
    waiting = i
  end
  -- The in-flight set goes as its tasks are cancelled (below).
  if key ~= K_INFLIGHT then
    sets[#sets + 1] = key
  end
end
-- controls (issue 13): the tasks held back in lines are waiting tasks too; the limits and
-- pauses stay, with nothing in flight against them any more, and so do the types' lines, empty.
local C = ctl()
local K_CONTROLS = C.K_CONTROLS
out[waiting] = out[waiting] + redis.call('ZCARD', C.K_LIMITED)
local fields = redis.call('HGETALL', K_CONTROLS)
for i = 1, #fields, 2 do
  local f = fields[i]
  if string.match(f, '^busy:%d+$') then
    redis.call('HSET', K_CONTROLS, f, '0')
  elseif string.match(f, '^set:%d+$') then
    local s = string.sub(f, 5)
    if redis.call('HEXISTS', K_CONTROLS, 'limit:' .. s) == 0 then
      redis.call('HDEL', K_CONTROLS, f, 't:' .. fields[i + 1])
    end
  end
end
-- A task in flight is cancelled through its claim: its holder stops the handler within about a
-- second and reports it cancelled, not later lost, and removes what is left of it (lease
-- recovery does, for a holder that died). Its body goes now: the holder has it.
local flight = redis.call('ZRANGE', K_INFLIGHT, 0, -1, 'WITHSCORES')
for i = 1, #flight, 2 do
  local m = flight[i]
  local id, token = string.match(m, '^([^\t]*)\t(.*)$')
  if not id then
    redis.call('ZREM', K_INFLIGHT, m)
  elseif not is_cancelled(m) then
    -- As cancel_found (common.lua): the member cancelled, the claim taken from its holder.
    redis.call('ZREM', K_INFLIGHT, m)
    redis.call('ZADD', K_INFLIGHT, flight[i + 1], id .. '\t' .. CANCELLED .. token)
    redis.call('HSET', K_TAKEN, m, string.format('%d', now_ms()))
  end
end
-- UNLINK frees large sets in the background instead of blocking the server.
-- flows (issue 24): with the blocked tasks (a state) go their waits and their parents' lists.
for _, k in ipairs({ K_TASKS, K_WAKE, K_EXPIRES, K_HELD, K_WAITS, K_KIDS }) do
  sets[#sets + 1] = k
end
for _, k in ipairs({ C.K_LIMITED, C.K_LINES, C.K_LHEADS, C.K_LPARKED }) do
  sets[#sets + 1] = k
end
redis.call('UNLINK', unpack(sets))
if C.controlled() then
  local pruned_at, recover_at, aging, _, flags = checks_read()
  stats_write(nil, nil, pruned_at, recover_at, aging, C.flag(), flags)
end
return out
