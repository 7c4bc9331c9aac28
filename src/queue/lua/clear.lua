-- clear: remove every task of the shard (waiting, scheduled, in flight, retrying, dead);
-- counters, settings and recurring schedules stay
-- KEYS: the common layout (common.lua)
-- returns {waiting, in flight, retrying, dead, scheduled}
local out = {
  redis.call('ZCARD', K_PENDING),
  redis.call('ZCARD', K_INFLIGHT),
  redis.call('ZCARD', K_DELAYED),
  redis.call('ZCARD', K_DEAD),
  redis.call('ZCARD', K_SCHEDULED),
}
-- controls (issue 13): the lines of limited types are waiting tasks too; the limits and pauses
-- stay, with nothing in flight against them any more.
local C = ctl()
local LIMITED, K_CONTROLS, K_HELD = C.LIMITED, C.K_CONTROLS, C.K_HELD
local ctlv = C.controls()
for s = 1, #LIMITED do
  if ctlv.sets[s] then
    out[1] = out[1] + redis.call('ZCARD', LIMITED[s])
    if not ctlv.limits[s] then
      redis.call('HDEL', K_CONTROLS, 'set:' .. s)
    end
  end
end
for s, l in pairs(ctlv.limits) do
  if l.m then
    redis.call('HSET', K_CONTROLS, 'busy:' .. s, '0')
  end
end
-- UNLINK frees large sets in the background instead of blocking the server.
redis.call('UNLINK', K_PENDING, K_INFLIGHT, K_TASKS, K_CLAIMS, K_STATE, K_DELAYED, K_DEAD,
  K_DEADINFO, K_WAKE, K_SCHEDULED, K_EXPIRES, K_HELD, unpack(LIMITED))
if C.controlled() then
  local pruned_at, recover_at, aging = checks_read()
  stats_write(nil, nil, pruned_at, recover_at, aging, C.flag())
end
return out
