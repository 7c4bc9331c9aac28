-- aging: set or read the shard's aging step, kept in the 'checks' field every claim reads
-- KEYS: the common layout (common.lua)
-- ARGV[1] the step in ms (0: off), or "" to read it only
-- returns the step in force, ms (0: off)
local pruned_at, recover_at, aging, ctl_flag, flags = checks_read()
if ARGV[1] ~= '' then
  aging = tonumber(ARGV[1])
  stats_write(nil, nil, pruned_at, recover_at, aging, ctl_flag, flags)
end
return aging
