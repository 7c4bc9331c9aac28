-- schedule: store or remove a recurring schedule on this shard (every shard holds them all)
-- KEYS: the common layout (common.lua)
-- ARGV[1] "add" | "remove"  ARGV[2] name  ARGV[3] "since ms|definition JSON" (add)
-- ARGV[4] "1" on the shard idle consumers block on: wake them to load the schedules again
-- returns 1 when it replaced or removed one, 0 when there was none
local op, name = ARGV[1], ARGV[2]
local had
if op == 'add' then
  had = redis.call('HSET', K_SCHEDULES, name, ARGV[3]) == 0 and 1 or 0
else
  had = redis.call('HDEL', K_SCHEDULES, name)
end
if ARGV[4] == '1' then
  wake(WAKE_CAP, 's')
end
return had
