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
local F = flows(nil, true)
local sets = {}
for s = 1, m do
  sets[s] = KEYS[tonumber(ARGV[s + 1])]
end

-- Where `id` is: its state's index, the set that holds it (a limited type's line for a waiting
-- task of one); or nil.
local function where(id)
  for s = 1, m do
    local set = sets[s]
    if set == K_PENDING then
      set = ctl().waiting_in(id) or set
    end
    if redis.call('ZSCORE', set, id) then
      return s, set
    end
  end
  return nil
end

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
  local s, set = where(id)
  local down = {}
  local ran = kids_of(id .. '\t+', down)
  -- Those that wait for it: each is cancelled below, so none is told of this one's end.
  local waited = kids_of(id, down)
  if waited then
    redis.call('HDEL', K_KIDS, id)
  end
  if id == root and (s or ran or waited or redis.call('ZSCORE', K_FINISHED_AT, id)) then
    out[1] = 1
  end
  if s and set ~= K_DEAD then
    local holder = false
    if set == K_INFLIGHT then
      local c = redis.call('HGET', K_CLAIMS, id)
      if ev and not (c and is_cancelled(c)) then
        ev.of_claim('cancelled', id, c)
      end
      if not c then
        unlease(id)
        forget(id)
      else
        if not is_cancelled(c) then
          redis.call('HSET', K_CLAIMS, id, CANCELLED .. c)
        end
        local _, _, _, _, _, consumer = get_claim(id)
        holder = consumer or false
      end
    else
      if ev then
        ev.write('cancelled', id)
      end
      if set == K_BLOCKED then
        F.forget_waits(id)
      end
      redis.call('ZREM', set, id)
      forget(id)
    end
    out[#out + 1] = id
    out[#out + 1] = s
    out[#out + 1] = holder
  end
  for _, child in ipairs(down) do
    if not seen[child] then
      seen[child] = true
      work[#work + 1] = child
    end
  end
end
return out
