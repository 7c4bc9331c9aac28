-- cancel: remove tasks for good, bodies and all; a task in flight is cancelled through its claim
-- (CANCELLED, common.lua), for its holder to stop it and remove it
-- KEYS: the common layout (common.lua)
-- ARGV[1] m, the number of state sets  ARGV[2..m+1] their KEYS indexes (STATES, types.rs)
-- ARGV[m+2..] ids
-- returns per id {state: 1..m, or 0 when unknown, the holder's name or false}
local m = tonumber(ARGV[1])
local out = {}
for i = m + 2, #ARGV do
  local id = ARGV[i]
  local found, holder = 0, false
  for s = 1, m do
    local set = KEYS[tonumber(ARGV[s + 1])]
    if set == K_PENDING then
      -- controls (issue 13): a waiting task may be in the line of its limited type.
      set = ctl().waiting_in(id) or set
    end
    if redis.call('ZSCORE', set, id) then
      found = s
      if set == K_INFLIGHT then
        local c = redis.call('HGET', K_CLAIMS, id)
        if ev and not (c and is_cancelled(c)) then
          ev.of_claim('cancelled', id, c)
        end
        if not c then
          -- No claim to cancel through: nobody can be holding it.
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
        -- flows (issue 24): a blocked task waits no more, and its own children learn of it.
        local f = flows()
        if f and set == K_BLOCKED then
          f.forget_waits(id)
        end
        redis.call('ZREM', set, id)
        forget(id)
        if f then
          f.failed(id)
        end
      end
      break
    end
  end
  out[#out + 1] = found
  out[#out + 1] = holder
end
return out
