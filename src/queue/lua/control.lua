-- control: pause, resume and limits of this shard, in the controls hash the claim reads
-- (controls, common.lua); every change wakes idle consumers, which look again at once
-- KEYS: the common layout (common.lua)
-- ARGV[1] "pause": ARGV[2] priorities (digits, "123" for all)  ARGV[3] for ms (0: until resumed)
-- ARGV[1] "resume": ARGV[2] priorities
--   both return the pauses in force after it: {priority, until ms (0: until resumed), ...}
-- ARGV[1] "limit": ARGV[2] type, JSON-encoded ('' every task)  ARGV[3] ms between two tokens
--   on this shard  ARGV[4] bucket size on this shard  ARGV[5] cap on this shard  ARGV[6] rate n
--   ARGV[7] per ms  ARGV[8] burst  ARGV[9] cap, as asked; '' in ARGV[3..9] keeps what is set
--   (a rate as a whole: ARGV[3], [4], [6], [7], [8]; a cap: ARGV[5], [9])
--   returns its line (any number of types may be limited: issue 23)
-- ARGV[1] "unlimit": ARGV[2] type ('' every task)
--   returns {1 removed (0: there was none), tasks left in its line}
-- ARGV[1] "drain": ARGV[2] type; moves up to 1000 waiting tasks of the line of a type whose
--   limit was removed back to pending, first in line first; returns the tasks left in it
local op = ARGV[1]
local now = now_ms()
local C = ctl()
local K_CONTROLS, K_HELD = C.K_CONTROLS, C.K_HELD
local pruned_at, recover_at, aging, _, flags = checks_read()

local TABLE_NOTE = 'a value longer than 64 bytes: the controls hash of a queue with limited '
  .. 'types is a hash table, so that a claim reads a field in O(1) (controls.lua)'

-- The line of type `enc` (0 for every task): the one it has, or (`new`) a new one, numbered
-- from the stats counter of generations, so a line is never one another type had; nil if none.
local function line_of(enc, new)
  if enc == '' then
    return 0
  end
  local s = C.line_of(enc)
  if s then
    return tonumber(s)
  end
  if not new then
    return nil
  end
  -- (A line migrated from layout 1 has a number of its own, 1 to 8.)
  repeat
    s = redis.call('HINCRBY', K_STATS, 'ctl_gen', 1)
  until redis.call('HEXISTS', K_CONTROLS, 'set:' .. s) == 0
  redis.call('HSET', K_CONTROLS, 't:' .. enc, string.format('%d', s), 'set:' .. s, enc)
  return s
end

-- The tasks waiting in type line s.
local function in_line(s)
  return C.in_line(tostring(s))
end

-- A type line with nothing left and no limit goes, with every field of its type.
local function forget_line(s, enc)
  redis.call('HDEL', K_CONTROLS, 'set:' .. s, 't:' .. enc)
  redis.call('ZREM', C.K_LHEADS, '1' .. s, '2' .. s, '3' .. s)
  redis.call('ZREM', C.K_LPARKED, tostring(s))
end

local function pauses()
  local out = {}
  for p = 1, 3 do
    local u = tonumber(redis.call('HGET', K_CONTROLS, 'pause:' .. p))
    if u and u > now then
      out[#out + 1] = p
      out[#out + 1] = u < NEVER and u or 0
    end
  end
  return out
end

-- A change may let tasks go: wake as many idle consumers as could take one.
local function wake_all()
  local n = 0
  for _, set in ipairs(C.waiting_sets()) do
    n = n + redis.call('ZCARD', set)
  end
  if n > 0 then
    wake(math.min(n, WAKE_CAP))
  end
end

local function done(reply)
  stats_write(nil, nil, pruned_at, recover_at, aging, C.flag(), flags)
  return reply
end

if op == 'pause' or op == 'resume' then
  for p in string.gmatch(ARGV[2], '%d') do
    if op == 'pause' then
      local ms = tonumber(ARGV[3])
      local until_ = ms > 0 and now + ms or NEVER
      redis.call('HSET', K_CONTROLS, 'pause:' .. p, string.format('%d', until_))
      if ev then
        ev.write('paused', nil, false, nil, nil,
          ms > 0 and 'until ' .. string.format('%d', until_) or 'until resumed', { 'p', p })
      end
    else
      redis.call('HDEL', K_CONTROLS, 'pause:' .. p)
      if ev then
        ev.write('resumed', nil, false, nil, nil, nil, { 'p', p })
      end
    end
  end
  if op == 'resume' then
    wake_all()
  end
  return done(pauses())
end

if op == 'limit' then
  local enc = ARGV[2]
  local s = line_of(enc, true)
  -- "G|T|b|m|n|per|B|M" (common.lua): what was set, and what this call sets over it.
  local had = redis.call('HGET', K_CONTROLS, 'limit:' .. s)
  local old = {}
  for v in string.gmatch((had or '') .. '|', '([^|]*)|') do
    old[#old + 1] = v
  end
  local f = {}
  f[1] = had and old[1] or string.format('%d', redis.call('HINCRBY', K_STATS, 'ctl_gen', 1))
  for i = 2, 8 do
    f[i] = ARGV[i + 1] ~= '' and ARGV[i + 1] or (had and old[i] or '')
  end
  local new_rate = ARGV[3] ~= '' and (old[2] or '') == ''
  local new_cap = ARGV[5] ~= '' and (old[4] or '') == ''
  redis.call('HSET', K_CONTROLS, 'limit:' .. s, table.concat(f, '|', 1, 8))
  if s > 0 then
    if not had then
      redis.call('HINCRBY', K_CONTROLS, 'types', 1)
      -- Five fields a type: as a packed list (up to hash-max-listpack-entries, 128 or 512)
      -- every HGET of a claim would walk them all. A value longer than hash-max-listpack-value
      -- (64) makes the hash a table, O(1) a field, and it stays one once the value goes.
      redis.call('HSET', K_CONTROLS, 'table', TABLE_NOTE)
      redis.call('HDEL', K_CONTROLS, 'table')
    end
    -- A changed limit may let its parked line go (the next claim parks it again if not).
    C.unpark(tostring(s))
  end
  if new_rate then
    -- A new bucket starts full.
    redis.call('HSET', K_CONTROLS, 'tat:' .. s, string.format('%d', now))
  end
  if new_cap then
    -- Tasks already in flight of that type count against a new cap (the first 1,000 by lease
    -- deadline: one call stays short).
    local busy = 0
    for _, m in ipairs(redis.call('ZRANGE', K_INFLIGHT, 0, 999)) do
      local id = string.match(m, '^[^\t]*')
      local body = redis.call('HGET', K_TASKS, id)
      if body and not is_cancelled(m) and (enc == '' or C.has_type(body, enc)) then
        local h = redis.call('HGET', K_HELD, id)
        local mine = s .. ':' .. f[1]
        if not h or not string.find(',' .. h .. ',', ',' .. mine .. ',', 1, true) then
          redis.call('HSET', K_HELD, id, h and (h .. ',' .. mine) or mine)
        end
        busy = busy + 1
      end
    end
    redis.call('HSET', K_CONTROLS, 'busy:' .. s, string.format('%d', busy))
  end
  if ev then
    -- What is set now, as it was asked: a rate (n per ms, burst) and a cap.
    local said = {}
    if f[5] ~= '' then
      said[#said + 1] = f[5] .. ' per ' .. f[6] .. ' ms' .. (f[7] ~= '' and ', burst ' .. f[7] or '')
    end
    if f[8] ~= '' then
      said[#said + 1] = 'at most ' .. f[8] .. ' in flight'
    end
    ev.write('limit', nil, false, nil, nil, table.concat(said, '; '), enc ~= '' and { 't', (ev.json_string(enc, 1)) } or nil)
  end
  wake_all()
  return done(s)
end

if op == 'unlimit' then
  local s = line_of(ARGV[2], false)
  if not s or redis.call('HEXISTS', K_CONTROLS, 'limit:' .. s) == 0 then
    return done({ 0, s and s > 0 and in_line(s) or 0 })
  end
  redis.call('HDEL', K_CONTROLS, 'limit:' .. s, 'tat:' .. s, 'busy:' .. s)
  if ev then
    ev.write('limit', nil, false, nil, nil, 'off', ARGV[2] ~= '' and { 't', (ev.json_string(ARGV[2], 1)) } or nil)
  end
  local left = 0
  if s > 0 then
    if redis.call('HINCRBY', K_CONTROLS, 'types', -1) <= 0 then
      redis.call('HDEL', K_CONTROLS, 'types')
    end
    left = in_line(s)
    if left == 0 then
      forget_line(s, ARGV[2])
    else
      -- Its tasks go on as ones that may always go, until drained.
      C.unpark(tostring(s))
    end
  end
  wake_all()
  return done({ 1, left })
end

if op == 'drain' then
  -- groups (issue 23): the tasks go back into their groups' lines too (their entries may have
  -- been dropped by a claim between the unlimit and this), so a shard with groups is drained
  -- by the script with groups.lua, as this one says before it changes anything.
  if string.find(flags, 'g', 1, true) then
    if not grp then
      return redis.error_reply(ERR_GROUPS .. ' the shard has groups: drain with their keys')
    end
    grp().on = true
  end
  local s = line_of(ARGV[2], false)
  if not s or s == 0 or redis.call('HEXISTS', K_CONTROLS, 'limit:' .. s) == 1 then
    return done(0)
  end
  local left = C.drain(tostring(s), 1000)
  if left == 0 then
    forget_line(s, ARGV[2])
  end
  return done(left)
end

return redis.error_reply('ERR rpq: unknown control ' .. op)
