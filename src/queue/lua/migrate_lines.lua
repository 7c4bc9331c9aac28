-- migrate_lines: a shard of layout 2 whose limited types are still in the form an rpq wrote
-- before any number of types could be limited (issue 23): a type's line was one of the sets
-- limited:1 .. limited:8, found by the controls field set:N, with no field t:TYPE. Gives each
-- such line its t:TYPE field (and the count of limited types), and puts up to ARGV[1] of the
-- tasks waiting in those sets back into pending at their places: the next claim holds back
-- again those its type's limit does not let go, in the lines of today. A rerun after a crash
-- goes on: the t:TYPE field and the sets themselves are the cursor.
-- KEYS: both layouts (migrate.lua); layout 2's limited:1 .. limited:8 are KEYS[41..48]
-- returns {tasks moved, tasks left in those sets}
local n = tonumber(ARGV[1])
local named = 0
for s = 1, LINES do
  local enc = redis.call('HGET', V2.controls, 'set:' .. s)
  if enc and redis.call('HEXISTS', V2.controls, 't:' .. enc) == 0 then
    redis.call('HSET', V2.controls, 't:' .. enc, tostring(s))
    if redis.call('HEXISTS', V2.controls, 'limit:' .. s) == 1 then
      named = named + 1
    end
  end
end
if named > 0 then
  redis.call('HINCRBY', V2.controls, 'types', named)
end
local moved, left = 0, 0
for s = 1, LINES do
  local line = KEYS[V1_KEYS + 14 + s]
  if moved < n then
    local some = redis.call('ZRANGE', line, 0, n - moved - 1, 'WITHSCORES')
    if #some > 0 then
      local zargs, ids = {}, {}
      for i = 1, #some, 2 do
        zargs[#zargs + 1] = some[i + 1]
        zargs[#zargs + 1] = some[i]
        ids[#ids + 1] = some[i]
      end
      redis.call('ZADD', V2.pending, unpack(zargs))
      redis.call('ZREM', line, unpack(ids))
      moved = moved + #ids
    end
  end
  left = left + redis.call('ZCARD', line)
end
v2_wake(moved)
return { moved, left }
