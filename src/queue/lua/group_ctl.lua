-- group_ctl: the limits and pauses of groups (issue 23, lua/groups.lua): one group's own limit
-- or pause, or the default limit of every group; each change brings back the groups it may
-- let go and wakes idle consumers
-- KEYS: every key of the layout (common.lua), then the groups' (groups.lua)
-- ARGV[1] "limit": ARGV[2] "each" (every group) or "group"  ARGV[3] the group's stored key
--   ARGV[4] ms between two tokens  ARGV[5] bucket  ARGV[6] cap  ARGV[7] rate n  ARGV[8] per ms
--   ARGV[9] burst as asked; '' in ARGV[4..9] keeps what is set (a rate as a whole: [4], [5],
--   [7], [8], [9]; a cap: [6]); returns the limit as stored now ("T|b|m|n|per|B")
-- ARGV[1] "unlimit": ARGV[2], ARGV[3] as for limit; returns 1 removed, 0 there was none
-- ARGV[1] "pause": ARGV[3] the group  ARGV[4] for ms (0: until resumed); returns until ms
-- ARGV[1] "resume": ARGV[3] the group; returns 1 resumed, 0 it was not paused
-- ARGV[1] "weight": ARGV[3] the group  ARGV[4] its weight ("1" removes the field: the default);
--   returns 1
local op, kind, g = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
local C = ctl()
local G = grp()
local K_CONTROLS = C.K_CONTROLS
local pruned_at, recover_at, aging, _, flags = checks_read()

-- The count of groups' own settings ("l:" and "z:" fields) in the controls hash; it goes once
-- nothing of groups is left in flight (else the next claim under group limits removes it).
local function settings(by)
  local n = redis.call('HINCRBY', K_CONTROLS, 'groups', by)
  if n <= 0 and redis.call('HEXISTS', K_CONTROLS, 'glimit') == 0
    and redis.call('EXISTS', C.K_HELD) == 0 then
    redis.call('HDEL', K_CONTROLS, 'groups')
  end
end

-- A parked group looks again at its turn (where it parks again if it still may not go).
local function unpark(group)
  -- With limits of types or priorities too, the group's tasks held back wait in its line
  -- (controls.lua), which looks again the same way.
  local line = C.unpark('g' .. group)
  if redis.call('ZSCORE', K_GPARKED, group) then
    G.unpark(group)
    return 1
  end
  return line and 1 or 0
end

local function done(reply, woken)
  if woken > 0 then
    wake(math.min(woken, WAKE_CAP))
  end
  stats_write(nil, nil, pruned_at, recover_at, aging, C.flag(), flags)
  return reply
end

-- A weight is the letter 'w' in the flags too, which the fast claim reads anyway: without it
-- the claim of a shard where no weight was ever set asks for none (an HGET a claim). The letter
-- stays when the weights go (a weight read for nothing is only slower).
if op == 'weight' then
  if ARGV[4] == '1' then
    redis.call('HDEL', K_GSTATE, 'w:' .. g)
  else
    redis.call('HSET', K_GSTATE, 'w:' .. g, ARGV[4])
    if not string.find(flags, 'w', 1, true) then
      flags = flags .. 'w'
    end
  end
  return done(1, 0)
end

if op == 'limit' or op == 'unlimit' then
  local key, field
  if kind == 'each' then
    key, field = K_CONTROLS, 'glimit'
  else
    key, field = K_GSTATE, 'l:' .. g
  end
  local had = redis.call('HGET', key, field)
  local woken = 0
  if op == 'unlimit' then
    if not had then
      return done(0, 0)
    end
    redis.call('HDEL', key, field)
    settings(kind == 'each' and 0 or -1)
  else
    local old = {}
    for v in string.gmatch((had or '') .. '|', '([^|]*)|') do
      old[#old + 1] = v
    end
    local f = {}
    for i = 1, 6 do
      f[i] = ARGV[i + 3] ~= '' and ARGV[i + 3] or (old[i] or '')
    end
    -- A rate is set as a whole: a new one replaces the bucket and the numbers as asked.
    if ARGV[4] ~= '' then
      f[2], f[4], f[5], f[6] = ARGV[5], ARGV[7], ARGV[8], ARGV[9]
    end
    redis.call('HSET', key, field, table.concat(f, '|', 1, 6))
    if not had and kind ~= 'each' then
      settings(1)
    end
  end
  -- A limit changed may let parked groups go (or park them on their turn).
  if kind == 'each' then
    for _, p in ipairs(redis.call('ZRANGE', K_GPARKED, 0, -1)) do
      woken = woken + unpark(p)
    end
    for _, line in ipairs(redis.call('ZRANGE', C.K_LPARKED, 0, -1)) do
      if string.sub(line, 1, 1) == 'g' and C.unpark(line) then
        woken = woken + 1
      end
    end
  else
    woken = unpark(g)
  end
  if op == 'unlimit' then
    return done(1, woken)
  end
  return done(redis.call('HGET', key, field), woken)
end

if op == 'pause' then
  local ms = tonumber(ARGV[4])
  local until_ = ms > 0 and now + ms or NEVER
  if not redis.call('HGET', K_GSTATE, 'z:' .. g) then
    settings(1)
  end
  redis.call('HSET', K_GSTATE, 'z:' .. g, string.format('%d', until_))
  local s = redis.call('ZSCORE', K_GROUPS, g)
  if s then
    G.park(g, tonumber(s) % 1000000000000000, until_, false)
  elseif redis.call('ZSCORE', K_GPARKED, g) then
    -- Parked already (a cap, a rate): it looks again then, and parks again if still paused.
    redis.call('ZADD', K_GPARKED, 'GT', string.format('%d', until_), g)
  end
  return done(until_ < NEVER and until_ or 0, 0)
end

if op == 'resume' then
  if redis.call('HDEL', K_GSTATE, 'z:' .. g) == 0 then
    return done(0, 0)
  end
  settings(-1)
  return done(1, unpark(g))
end

return redis.error_reply('ERR rpq: unknown group control ' .. op)
