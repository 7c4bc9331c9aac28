-- migrate_finish: the last step on a shard, once layout 1 holds no task in any set: the
-- counters added to layout 2's, the consumers and the schedules merged (a schedule keeps the
-- later of its two last-fired slots), the groups and flows of layout 2 (migrate_flows.lua),
-- then every layout-1 key of the shard deleted.
-- KEYS: both layouts (migrate.lua)
-- ARGV[1] the older layout, 1 or 2
-- returns {1}; {0} while a set still holds tasks (a body left in no set, which no state of
-- layout 1 makes, goes with the keys)
for _, k in ipairs({ V1.pending, V1.inflight, V1.delayed, V1.scheduled, V1.dead }) do
  if redis.call('ZCARD', k) > 0 then
    return { 0 }
  end
end
for n = 1, LINES do
  if redis.call('ZCARD', KEYS[18 + n]) > 0 then
    return { 0 }
  end
end
if V1_LIMITED and redis.call('ZCARD', V1_LIMITED) > 0 then
  return { 0 }
end
move_groups_and_flows()
-- Layout 2's `done` and `failed` leave out the last minute, which its readers add from the
-- d:SECOND and f:SECOND fields still there: folded in here, as nothing reads them after.
if ARGV[1] == '2' then
  local fold = { done = 0, failed = 0 }
  local fields = redis.call('HGETALL', V1.stats)
  for i = 1, #fields, 2 do
    local kind = string.match(fields[i], '^([df]):%d+$')
    if kind then
      local to = kind == 'd' and 'done' or 'failed'
      fold[to] = fold[to] + (tonumber(fields[i + 1]) or 0)
    end
  end
  for f, n in pairs(fold) do
    if n > 0 then
      redis.call('HINCRBY', V2.stats, f, string.format('%d', n))
    end
  end
end
-- Layout 1's `done` counts every task done, its d:SECOND fields included; layout 2's readers
-- add its own d: fields to its `done`, so the total goes there and the last minute of layout 1
-- is not copied (only the throughput of that minute is lost from `rpq stats`).
for _, f in ipairs({ 'pushed', 'done', 'failed', 'recovered', 'released', 'dead' }) do
  local v = redis.call('HGET', V1.stats, f)
  if v and tonumber(v) and tonumber(v) ~= 0 then
    redis.call('HINCRBY', V2.stats, f, v)
  end
end
local lost = redis.call('HGET', V1.stats, 'lost')
if lost then
  redis.call('HSETNX', V2.stats, 'lost', lost)
end
local cs = redis.call('HGETALL', V1.consumers)
for i = 1, #cs, 2 do
  local at1, n1 = string.match(cs[i + 1], '^(%d+)|(%d+)')
  local v2 = redis.call('HGET', V2.consumers, cs[i])
  local at2, n2 = string.match(v2 or '', '^(%d+)|(%d+)')
  if not at2 then
    redis.call('HSET', V2.consumers, cs[i], cs[i + 1])
  elseif at1 then
    local at = tonumber(at1) > tonumber(at2) and at1 or at2
    redis.call('HSET', V2.consumers, cs[i], at .. '|' .. string.format('%d', n1 + n2))
  end
end
local ss = redis.call('HGETALL', V1.schedules)
for i = 1, #ss, 2 do
  local f1, def1 = string.match(ss[i + 1], '^(%d+)|(.*)$')
  local f2, def2 = string.match(redis.call('HGET', V2.schedules, ss[i]) or '', '^(%d+)|(.*)$')
  -- Removed or replaced under layout 2 since the mark: as it is there; the same schedule fired
  -- later by a consumer of layout 1: that slot, so that it does not fire again.
  if f1 and f2 and def1 == def2 and tonumber(f1) > tonumber(f2) then
    redis.call('HSET', V2.schedules, ss[i], ss[i + 1])
  end
end
for k = 1, V1_KEYS do
  redis.call('DEL', KEYS[k])
end
for k = 51, math.min(#KEYS, 54) do
  redis.call('DEL', KEYS[k])
end
return { 1 }
