-- flow_apply: lines of another queue's outbox applied on the children's tag (issue 24,
-- flows.lua: across queues): each parent's end counts down (or fails) its child here at most
-- once, whatever number of times the line is delivered (the HDEL of the child's wait decides);
-- a line 'c' (`rpq flow cancel`, flow_cancels.lua) cancels the child and what is downstream of
-- it that has not run. Also the pusher's, for a parent its link found done or dead already.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua)
-- ARGV[1] dead-set cap  ARGV[2..] triples (kind 'd', 'f' or 'c', child id, parent as "queue\31id")
-- returns 1 when this queue's own outbox has lines now (a failure handed further on), else 0
local f = flows(nil, true)
f.dead_cap = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  if ARGV[i] == 'c' then
    cancel_walk({ ARGV[i + 1] }, cancel_state_fixed, {})
  else
    f.apply(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  end
end
return f.outbox_left() and 1 or 0
