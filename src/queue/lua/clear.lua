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
local ctl = controls()
for s = 1, #LIMITED do
  if ctl.sets[s] then
    out[1] = out[1] + redis.call('ZCARD', LIMITED[s])
    if not ctl.limits[s] then
      redis.call('HDEL', K_CONTROLS, 'set:' .. s)
    end
  end
end
for s, l in pairs(ctl.limits) do
  if l.m then
    redis.call('HSET', K_CONTROLS, 'busy:' .. s, '0')
  end
end
-- UNLINK frees large sets in the background instead of blocking the server.
redis.call('UNLINK', K_PENDING, K_INFLIGHT, K_TASKS, K_CLAIMS, K_STATE, K_DELAYED, K_DEAD, K_DEADINFO, K_WAKE,
  K_SCHEDULED, K_EXPIRES, K_HELD, unpack(LIMITED))
if CTL_FLAG == 1 then
  local pruned_at, recover_at, aging = checks_read()
  controls_flag()
  stats_write(nil, nil, pruned_at, recover_at, aging)
end
return out
