-- ctl_sweep: delete the control hashes (issue 25) of tasks that are gone: removed by clear,
-- cancel or a purge of dead tasks, or expired. A hash lives as long as its task; these paths
-- remove tasks in bulk and leave their hashes to this sweep rather than to the hashes' TTL. A
-- task still stored (waiting, retrying, in flight, dead) keeps its hash, so a sweep may run at
-- any time, also while consumers work. Bounded: the caller gives at most a batch of hashes.
-- KEYS: the whole layout (common.lua, controls.lua), then the control hashes to look at
-- ARGV[i] the id of the task of KEYS[LAYOUT_KEYS + i]
-- returns how many hashes it deleted
local gone = 0
for i, id in ipairs(ARGV) do
  if redis.call('HEXISTS', K_TASKS, id) == 0 then
    gone = gone + redis.call('DEL', KEYS[LAYOUT_KEYS + i])
  end
end
return gone
