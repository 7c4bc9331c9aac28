-- flow cancels (issue 24, docs/flows.md: cancelling a flow): `rpq flow cancel` walks the graph
-- down from its task on the task's shard (flow_cancel.lua) and, at the edge of the shard's tag
-- (a child in another queue, or on another shard), writes an outbox line of kind 'c' (flows.lua:
-- OUTBOX), moved as any line: applied on the child's shard (flow_apply.lua, or flow_cancel.lua
-- for the canceller's own move, which lists what it cancelled), where the walk goes on. Carried
-- after flows.lua by those two scripts only.
-- Applied twice, a line finds its tasks gone (cancelled the first time) and cancels nothing.

-- The state sets in the order of STATES (types.rs), for flow_apply.lua, which is not given
-- their indexes as flow_cancel.lua is.
local function cancel_state_fixed(id)
  return state_in(id, { K_PENDING, K_SCHEDULED, K_INFLIGHT, K_DELAYED, K_DEAD, K_BLOCKED })
end

-- The children listed in field `field` of kids, appended to `into`; whether there was one.
local function cancel_kids_of(field, into)
  local v = redis.call('HGET', K_KIDS, field)
  if v then
    for child in string.gmatch(v, '[^\t]+') do
      into[#into + 1] = child
    end
  end
  return v ~= false
end

-- Cancels each task of `work` and what is downstream of it on this shard that has not run
-- (`state(id)`: its state's index and set, or nil), as `rpq cancel` does each; appends id,
-- state, holder of each cancelled to `out`. Downstream of a task: its blocked children (kids:
-- id) and, once it is done, the children it had (kids: "id\t+", for the finished window), so a
-- flow is found from a task that ran. A child on another tag gets a 'c' line in the outbox.
-- Returns whether the first task of `work` is known here (in a state, or with children).
local function cancel_walk(work, state, out)
  local seen, known = {}, false
  for _, id in ipairs(work) do
    seen[id] = true
  end
  local k = 1
  while k <= #work do
    local id = work[k]
    k = k + 1
    local s, set = state(id)
    local down = {}
    local ran = cancel_kids_of(id .. '\t+', down)
    -- Those that wait for it: each is cancelled below, so none is told of this one's end.
    local waited = cancel_kids_of(id, down)
    if waited then
      redis.call('HDEL', K_KIDS, id)
    end
    if k == 2 then
      known = s ~= nil or ran or waited
    end
    if s and set ~= K_DEAD then
      out[#out + 1] = id
      out[#out + 1] = s
      out[#out + 1] = cancel_found(id, set)
    end
    for _, child in ipairs(down) do
      if string.find(child, REMOTE, 1, true) then
        flows(nil, true).outbox_add('c', child, id)
      elseif not seen[child] then
        seen[child] = true
        work[#work + 1] = child
      end
    end
  end
  return known
end
