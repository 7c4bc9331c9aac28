-- flow_cancel: `rpq flow cancel ID` (issue 24): the task and every task downstream of it that
-- has not run yet are cancelled, as `rpq cancel` does each (waiting, blocked, retrying,
-- scheduled: removed; in flight: through its claim, for its holder to stop it); what already
-- ran (done, dead) is left. The graph is walked here (flow_cancels.lua), not handed to
-- flows().failed: a cancelled flow's tasks go whatever their --on-parent-failure says. A child
-- on another tag (another queue, another shard) gets an outbox line 'c', which the canceller
-- then applies on the child's shard with this script again, the task's id '' and the lines'
-- (child, parent) pairs after it: the walk goes on from each child there.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua)
-- ARGV[1] m, the number of state sets  ARGV[2..m+1] their KEYS indexes (STATES, types.rs)
-- ARGV[m+2] the task's id, or '' and then pairs (child id here, parent as "queue\31id")
-- returns {1 when the shard knows the task (else 0; 1 for lines), then for each task
-- cancelled: id, state 1..m, the holder's name or false}
local m = tonumber(ARGV[1])
local root = ARGV[m + 2]
local out = { 0 }
local function state(id)
  return state_of(id, m)
end
if root ~= '' then
  if cancel_walk({ root }, state, out) or redis.call('ZSCORE', K_FINISHED_AT, root) then
    out[1] = 1
  end
  return out
end
out[1] = 1
for i = m + 3, #ARGV, 2 do
  cancel_walk({ ARGV[i] }, state, out)
end
return out
