-- fire: queue the task of one slot of a recurring schedule, at most once per slot
-- KEYS: the common layout (common.lua) of the shard the slot's task id belongs to
-- ARGV[1] schedule name  ARGV[2] its definition JSON as the caller read it  ARGV[3] slot ms
-- ARGV[4] task id  ARGV[5] priority  ARGV[6] body (as push takes it)  ARGV[7] ttl ms (0: none)
-- returns FIRE_FIRED; FIRE_EARLY when the slot is not due yet by this server's clock; FIRE_NOT
-- when it is not to fire: this slot or a later one fired here already, or the schedule was
-- removed or replaced since the caller read it
local name, def, slot = ARGV[1], ARGV[2], tonumber(ARGV[3])
local v = redis.call('HGET', K_SCHEDULES, name)
local last, stored = string.match(v or '', '^(%d+)|(.*)$')
if not last or stored ~= def or slot <= tonumber(last) then
  return FIRE_NOT
end
local now = now_ms()
if slot > now then
  return FIRE_EARLY
end
local _, recover_at, _, _, _, moved = checks_read()
if moved then
  return redis.error_reply(ERR_LAYOUT .. ' ' .. moved)
end
-- The slot is taken first, so a task of this id finished long ago cannot be queued again.
redis.call('HSET', K_SCHEDULES, name, ARGV[3] .. '|' .. def)
if recover_at <= now then
  promote(string.format('%d', now), '1000')
end
local flag, at = enqueue(ARGV[4], ARGV[5], ARGV[6], now, nil, tonumber(ARGV[7]))
if flag == PUSH_QUEUED then
  if at then
    recover_by(at)
  end
  redis.call('HINCRBY', K_STATS, 'pushed', 1)
  wake(1)
end
return FIRE_FIRED
