-- clear: remove every task of the shard (waiting, in flight, retrying, dead); counters stay
-- KEYS: the common layout (common.lua)
-- returns {waiting, in flight, retrying, dead}
local out = {
  redis.call('ZCARD', K_PENDING),
  redis.call('ZCARD', K_INFLIGHT),
  redis.call('ZCARD', K_DELAYED),
  redis.call('ZCARD', K_DEAD),
}
-- UNLINK frees large sets in the background instead of blocking the server.
redis.call('UNLINK', K_PENDING, K_INFLIGHT, K_TASKS, K_CLAIMS, K_STATE, K_DELAYED, K_DEAD, K_DEADINFO, K_WAKE)
return out
