-- flow_cancel: `rpq flow cancel ID` (issue 24): the task and every task downstream of it that
-- has not run yet are cancelled, as `rpq cancel` does each (waiting, blocked, retrying,
-- scheduled: removed; in flight: through its claim, for its holder to stop it); what already
-- ran (done, dead) is left. The graph is walked here, not handed to flows().failed: a cancelled
-- flow's tasks go whatever their --on-parent-failure says.
-- Downstream of a task: its blocked children (kids: id) and, once it is done, the children it
-- had (kids: "id\t+", kept for the finished window, flows.lua), so a flow is found from its
-- root after the root ran and released its children.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua)
-- ARGV[1] m, the number of state sets  ARGV[2..m+1] their KEYS indexes (STATES, types.rs)
-- ARGV[m+2] the task's id
-- returns {1 when the shard knows the task (else 0), then for each task cancelled: id, state
-- 1..m, the holder's name or false}
local m = tonumber(ARGV[1])
local root = ARGV[m + 2]

-- The children of `id` as listed in field `field` of kids.
local function kids_of(field, into)
  local v = redis.call('HGET', K_KIDS, field)
  if v then
    for child in string.gmatch(v, '[^\t]+') do
      into[#into + 1] = child
    end
  end
  return v ~= false
end

local out = { 0 }
local seen = { [root] = true }
local work = { root }
local k = 1
while k <= #work do
  local id = work[k]
  k = k + 1
  local s, set = state_of(id, m)
  local down = {}
  local ran = kids_of(id .. '\t+', down)
  local n_ran = #down
  -- Those that wait for it: each is cancelled below, so none is told of this one's end.
  local waited = kids_of(id, down)
  if waited then
    redis.call('HDEL', K_KIDS, id)
  end
  if id == root and (s or ran or waited or redis.call('ZSCORE', K_FINISHED_AT, id)) then
    out[1] = 1
  end
  if s and set ~= K_DEAD then
    local holder = cancel_found(id, set)
    out[#out + 1] = id
    out[#out + 1] = s
    out[#out + 1] = holder
  end
  for i, child in ipairs(down) do
    if string.find(child, REMOTE, 1, true) then
      -- In another queue, beyond this script's tag: one that waits is handed the end of a
      -- parent that will not be done, as its --on-parent-failure says (the outbox, flows.lua).
      if i > n_ran then
        flows(nil, true).outbox_add('f', child, id)
      end
    elseif not seen[child] then
      seen[child] = true
      work[#work + 1] = child
    end
  end
end
return out
