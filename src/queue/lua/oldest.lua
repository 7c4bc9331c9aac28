-- oldest: the bodies of the first waiting task of each priority. Within a priority the first is
-- the earliest arrival (first in, first out; recovered tasks go back at their old place), so the
-- oldest waiting task of the shard is one of these three.
-- KEYS: the common layout (common.lua)
-- ARGV[1..] the KEYS indexes of the lines of limited types that may hold waiting tasks
-- returns up to three stored bodies a waiting set (false where a body is missing)
local out = {}
-- controls (issue 13): and of each line of a limited type the caller names.
local sets = { K_PENDING }
for _, k in ipairs(ARGV) do
  sets[#sets + 1] = KEYS[tonumber(k)]
end
for _, set in ipairs(sets) do
  for p = 1, 3 do
    local head = redis.call('ZRANGEBYSCORE', set, pending_score(p, 0),
      '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1')
    if #head > 0 then
      out[#out + 1] = redis.call('HGET', K_TASKS, head[1])
    end
  end
end
return out
