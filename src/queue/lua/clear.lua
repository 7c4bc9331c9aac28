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
-- UNLINK frees large sets in the background instead of blocking the server.
redis.call('UNLINK', K_PENDING, K_INFLIGHT, K_TASKS, K_CLAIMS, K_STATE, K_DELAYED, K_DEAD, K_DEADINFO, K_WAKE,
  K_SCHEDULED, K_EXPIRES)
return out
