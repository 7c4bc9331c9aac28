-- cancel: remove tasks for good, bodies and all; a task in flight is cancelled through its claim
-- (CANCELLED, common.lua), for its holder to stop it and remove it
-- KEYS: the common layout (common.lua)
-- ARGV[1] m, the number of state sets  ARGV[2..m+1] their KEYS indexes (STATES, types.rs)
-- ARGV[m+2..] ids
-- returns per id {state: 1..m, or 0 when unknown, the holder's name or false}, then 1 when the
-- shard's outbox has lines (flows.lua)
local m = tonumber(ARGV[1])
local out = {}
for i = m + 2, #ARGV do
  local id = ARGV[i]
  local found, set = state_of(id, m)
  local holder = false
  if found then
    holder = cancel_found(id, set)
    -- flows (issue 24): a cancelled task will never be done, so its children learn of its end
    -- now, in flight too: its holder's next lease check removes it without flows.lua (and
    -- lease recovery's drop_cancelled finds nothing left to hand on: take_kids is once).
    local f = flows()
    if f then
      f.failed(id)
    end
  end
  out[#out + 1] = found or 0
  out[#out + 1] = holder
end
-- flows: 1 last when a failure handed on left lines in the outbox (for a child on another
-- shard or in another queue), for the caller to move; a shard without flows reads nothing.
local f = flows and flows()
if f and f.outbox_left() then
  out[#out + 1] = 1
end
return out
