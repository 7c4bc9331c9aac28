-- oldest: the bodies of the first waiting task of each priority. Within a priority the first is
-- the earliest arrival (first in, first out; recovered tasks go back at their old place), so the
-- oldest waiting task of the shard is one of these three.
-- KEYS: the common layout (common.lua)
-- returns three stored bodies, of priority 1, 2 and 3 in that order (false where none waits or
-- a body is missing), so each answer is known to be of its priority
local out = {}
for p = 1, 3 do
  out[p] = false
  local head = redis.call('ZRANGEBYSCORE', K_PENDING, pending_score(p, 0),
    '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1')
  if #head > 0 then
    out[p] = redis.call('HGET', K_TASKS, head[1])
  end
end
return out
