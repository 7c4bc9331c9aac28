-- migrate_mark: the first step on a shard: layout 2's checks ("check now", with the aging step
-- and the controls flag of layout 1), its arrival counter at least layout 1's (tasks pushed
-- from now on line up behind every task moved), the controls (their tasks-in-flight counts
-- start at 0: the leases of layout 1 are counted where they are) and the schedules. Once
-- written, a rerun leaves the shard as it is: layout 2 is the one that changes from then on.
-- KEYS: both layouts (migrate.lua)
-- ARGV[1] the stats field `layout` of the newer layout (keys::LAYOUT_NOTE)  ARGV[2] the older
-- layout, 1 or 2  ARGV[3] what the older layout's checks become (keys::retired_checks): from
-- layout 2, its scripts that queue or lease work still running refuse the shard from here
-- returns 1 when it marked the shard, 0 when it was marked already
if redis.call('HEXISTS', V2.stats, 'checks') == 1 then
  return 0
end
local v1c = redis.call('HGET', V1.stats, 'checks') or ''
local _, _, aging = string.match(v1c, '^(%d+)|(%d+)|?(%d*)')
aging = tonumber(aging) or 0
local ctl = false
local fields = redis.call('HGETALL', V1.controls)
local copy = {}
local types = 0
for i = 1, #fields, 2 do
  local f = fields[i]
  if string.sub(f, 1, 5) ~= 'busy:' then
    copy[#copy + 1] = f
    copy[#copy + 1] = fields[i + 1]
  end
  -- Layout 2 finds a type's line by its type (controls.lua), and counts the limited types.
  if string.match(f, '^set:%d+$') then
    copy[#copy + 1] = 't:' .. fields[i + 1]
    copy[#copy + 1] = string.sub(f, 5)
  elseif string.match(f, '^limit:[1-9]%d*$') then
    types = types + 1
  end
end
if types > 0 then
  copy[#copy + 1] = 'types'
  copy[#copy + 1] = tostring(types)
end
if #copy > 0 then
  ctl = true
  redis.call('HSET', V2.controls, unpack(copy))
end
local gen = redis.call('HGET', V1.stats, 'ctl_gen')
if gen then
  redis.call('HSET', V2.stats, 'ctl_gen', gen)
end
local sched = redis.call('HGETALL', V1.schedules)
if #sched > 0 then
  redis.call('HSET', V2.schedules, unpack(sched))
end
-- Layout 1 keeps the arrival counter in a key, layout 2 in a field of stats.
local seq = math.max(tonumber(redis.call('GET', V1.seq) or '0') or 0,
  tonumber(redis.call('HGET', V1.stats, 'seq') or '0') or 0)
local have = tonumber(redis.call('HGET', V2.stats, 'seq') or '0') or 0
if seq > have then
  redis.call('HSET', V2.stats, 'seq', string.format('%d', seq))
end
local checks
if RECORDS then
  local flags = (aging > 0 and 'a' or '-') .. (ctl and 'c' or '-')
  checks = '2' .. flags .. '|' .. ZERO13 .. '|' .. ZERO13 .. '|' .. ZERO13 .. '|'
    .. string.format('%d', aging)
else
  checks = '0|0'
  if ctl then
    checks = checks .. string.format('|%d|1', aging)
  elseif aging > 0 then
    checks = checks .. string.format('|%d', aging)
  end
end
redis.call('HSET', V2.stats, 'checks', checks)
redis.call('HSETNX', V2.stats, 'layout', ARGV[1])
if ARGV[2] == '2' then
  redis.call('HSET', V1.stats, 'checks', ARGV[3])
end
return 1
