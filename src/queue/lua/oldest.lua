-- oldest: the bodies of the first waiting task of each priority. Within a priority the first is
-- the earliest arrival (first in, first out; recovered tasks go back at their old place), so the
-- oldest waiting task of the shard is one of these three.
-- KEYS: the common layout (common.lua)
-- ARGV[1..] the KEYS indexes of the other sets that may hold waiting tasks (`limited`,
-- controls.lua)
-- returns three stored bodies, of priority 1, 2 and 3 in that order (false where none waits or
-- a body is missing), so each answer is known to be of its priority
local sets = { K_PENDING }
-- controls (issue 13): the tasks held back by limits keep their pending scores, so the first of
-- a priority over both sets is the one of lowest score.
for _, k in ipairs(ARGV) do
  sets[#sets + 1] = KEYS[tonumber(k)]
end
local out = {}
for p = 1, 3 do
  out[p] = false
  local best_id, best_score
  for _, set in ipairs(sets) do
    local head = redis.call('ZRANGEBYSCORE', set, pending_score(p, 0),
      '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1', 'WITHSCORES')
    if #head > 0 and (not best_score or tonumber(head[2]) < best_score) then
      best_id, best_score = head[1], tonumber(head[2])
    end
  end
  if best_id then
    out[p] = redis.call('HGET', K_TASKS, best_id)
  end
end
return out
