-- ctl_lease: the one question of `rpq ctl` (issue 25) that depends on the stored layout, "does
-- this lease still hold?", asked by every ctl_*.lua script before it changes anything: a handler
-- whose lease was lost (another consumer holds the task now, or its deadline passed) is refused.
-- The layout of v2 (docs/layout-v2.md) answers it from its own keys here, and nowhere else.
-- Every ctl script carries this file after common.lua and controls.lua (script.rs: ctl_script!).

-- Reply codes of ctl_op.lua, named the same in Rust (queue/ctl.rs: CtlCode).
local CTL_LOST = 0
local CTL_OK = 1
local CTL_ALREADY = 2
local CTL_FULL = 3
-- The bounds of a control hash (queue/ctl.rs says them to users, and a test holds the two
-- together): log lines kept, checkpoints, once-keys and children staged per task; and how long
-- a hash lives after its last write when nothing deletes it (a consumer killed, then the task
-- never run again).
local CTL_LOG_LINES = 100
local CTL_CHECKPOINTS = 64
local CTL_ONCE_KEYS = 1000
local CTL_SPAWNS = 1000
local CTL_TTL_MS = 7 * 24 * 3600 * 1000
-- returns the attempt number of the claim when `id` is held with `token` and its lease deadline
-- has not passed at `now` (ms), else nil
local function lease_attempt(id, token, now)
  local deadline = redis.call('ZSCORE', K_INFLIGHT, id .. '\t' .. token)
  if not deadline or tonumber(deadline) < now then
    return nil
  end
  return tonumber(string.match(token, '^%x+|%d+|(%d+)|')) or 1
end
