-- controls: pauses, rate limits and in-flight caps (issue 13), the part of the prelude of the
-- scripts that act on them (claim once a queue has controls, ack, fail, release, extend, cancel,
-- move, inspect, peek, clear, control); push and a claim of a queue without controls go without
-- it, so that Lua's memory, which Redis's garbage collector walks every 50 script calls, holds
-- none of it for them. Everything is in the controls hash (common.lua's header), which nothing
-- reads while the checks say it is empty.
-- A pause stops the claims of one priority until a time ("pause:P"; NEVER: until resumed).
-- A limit lives in a line S: 0 holds back every task of the shard, 1..8 the tasks of one type
-- ("set:S", JSON-encoded as in a body), whose waiting tasks a claim moves from pending into
-- LIMITED[S] when it meets one it may not take; those lines are part of the waiting state.
-- "limit:S" = "G|T|b|m|n|per|B|M": its generation G, the ms between two tokens and the bucket's
-- size on this shard (T empty: no rate), the cap on this shard (m empty: none), and the limit
-- as it was set (n tasks per `per` ms, burst B, cap M), for `rpq limit` to show. A rate is a
-- GCRA bucket: "tat:S" is its theoretical arrival time (ms); at `now` a claim may take
-- floor((now - max(tat, now)) / T + b) tasks, and each one it takes adds T to it. "busy:S"
-- counts the tasks in flight against the cap; each such task has "S:G" in the held hash, so
-- whatever takes it out of flight (unlease: ack, fail, release, cancel, lease recovery) gives
-- the slot back, and a limit removed and set again (a new G) is not paid back for old tasks.
local K_CONTROLS, K_HELD = KEYS[16], KEYS[17]
local K_LIMITED1, K_LIMITED2, K_LIMITED3, K_LIMITED4 = KEYS[18], KEYS[19], KEYS[20], KEYS[21]
local K_LIMITED5, K_LIMITED6, K_LIMITED7, K_LIMITED8 = KEYS[22], KEYS[23], KEYS[24], KEYS[25]
-- A script with controls gets every key of the layout (keys.rs: LAYOUT, with the keys of flows
-- after these: flows.lua); keys after them (the worker runtime's result keys) are numbered
-- from here.
local LAYOUT_KEYS = 29
assert(K_LIMITED8, 'rpq: the controls of a queue need every key of its layout')

-- Whether the controls hash holds anything, as the checks said (nil until they are read in this
-- call; the claim script says what it read).
local CTL_FLAG = nil

-- The helpers, built on first use: each function a prelude defines is a closure made anew on
-- every call, and an ack or a look at a lease of a queue without controls needs none of them.
local CTL_LIB = nil
ctl = function()
  if CTL_LIB then
    return CTL_LIB
  end
  local C = {}
  CTL_LIB = C
  C.K_CONTROLS, C.K_HELD = K_CONTROLS, K_HELD
  C.LIMITED = { K_LIMITED1, K_LIMITED2, K_LIMITED3, K_LIMITED4, K_LIMITED5, K_LIMITED6,
    K_LIMITED7, K_LIMITED8 }
  local LIMITED = C.LIMITED

  -- Whether this shard has controls (the checks, read now if this call has not yet).
  local function controlled()
    if CTL_FLAG == nil then
      CTL_FLAG = select(4, checks_read())
    end
    return CTL_FLAG == 1
  end
  C.controlled = controlled

  -- The flag as the caller read it with the checks.
  function C.known(flag)
    CTL_FLAG = flag
  end

  -- The controls hash, read and parsed once per call: {paused = {[P] = until}, limits = {[S] =
  -- {g, T, b, m, tat, busy, enc}}, sets = {[S] = type}, dirty = {}}; empty without controls.
  local parsed = nil
  function C.controls()
    if parsed then
      return parsed
    end
    parsed = { paused = {}, limits = {}, sets = {}, dirty = {} }
    if not controlled() then
      return parsed
    end
    local all = redis.call('HGETALL', K_CONTROLS)
    local tats, busy = {}, {}
    for i = 1, #all, 2 do
      local kind, n = string.match(all[i], '^(%a+):(%d+)$')
      n = tonumber(n)
      local v = all[i + 1]
      if kind == 'pause' then
        parsed.paused[n] = tonumber(v)
      elseif kind == 'set' then
        parsed.sets[n] = v
      elseif kind == 'tat' then
        tats[n] = tonumber(v)
      elseif kind == 'busy' then
        busy[n] = tonumber(v)
      elseif kind == 'limit' then
        local g, t, b, m = string.match(v, '^(%d+)|([^|]*)|([^|]*)|([^|]*)|')
        parsed.limits[n] = {
          g = tonumber(g), T = tonumber(t), b = tonumber(b) or 1, m = tonumber(m),
        }
      end
    end
    for n, l in pairs(parsed.limits) do
      l.tat, l.busy, l.enc = tats[n] or 0, busy[n] or 0, parsed.sets[n]
    end
    return parsed
  end

  -- After a change to the controls hash: the flag every claim reads (written by stats_write).
  function C.flag()
    CTL_FLAG = redis.call('EXISTS', K_CONTROLS)
    return CTL_FLAG
  end

  -- How many tasks limit `l` lets go at `now`: tokens in its bucket, free slots of its cap.
  function C.allowed(l, now)
    local a = math.huge
    if l.T then
      a = math.floor((now - math.max(l.tat, now)) / l.T + l.b + 1e-9)
    end
    if l.m then
      a = math.min(a, l.m - l.busy)
    end
    return math.max(0, a)
  end

  -- When limit `l` lets one more go by its rate (ms); nil when its bucket is not what holds
  -- it back.
  function C.next_token(l, now)
    if l.T then
      local at = l.tat - (l.b - 1) * l.T
      if at > now then
        return at
      end
    end
    return nil
  end

  -- Whether a stored body has the type `enc` (JSON-encoded): it follows the head's numbers, so
  -- the first ,"t": is the type's.
  function C.has_type(body, enc)
    local i = string.find(body, ',"t":', 1, true)
    return i ~= nil and string.sub(body, i + 5, i + 4 + #enc + 1) == enc .. ','
  end

  -- The line of the limit on the type of `body`, nil when its type has none.
  function C.type_line(body)
    local limits = C.controls().limits
    for s = 1, #LIMITED do
      local l = limits[s]
      if l and l.enc and body and C.has_type(body, l.enc) then
        return s
      end
    end
    return nil
  end

  -- The sets that hold waiting tasks: pending, and the lines of limited types in use.
  function C.waiting_sets()
    local sets = { K_PENDING }
    local ctlv = C.controls()
    for s = 1, #LIMITED do
      if ctlv.sets[s] then
        sets[#sets + 1] = LIMITED[s]
      end
    end
    return sets
  end

  -- The set that holds waiting task `id`, and its score; nil when it is not waiting.
  function C.waiting_in(id)
    for _, set in ipairs(C.waiting_sets()) do
      local score = redis.call('ZSCORE', set, id)
      if score then
        return set, score
      end
    end
    return nil
  end

  -- Whether any task waits on this shard.
  function C.any_waiting()
    for _, set in ipairs(C.waiting_sets()) do
      if redis.call('EXISTS', set) == 1 then
        return true
      end
    end
    return false
  end

  function C.release_held(id)
    local h = redis.call('HGET', K_HELD, id)
    if not h then
      return
    end
    redis.call('HDEL', K_HELD, id)
    -- groups (issue 23, lua/groups.lua): "\tGROUP\t" first for a task of a group under limits.
    local g, rest = string.match(h, '^\t([^\t]*)\t(.*)$')
    if g then
      C.release_group(g)
      h = rest
    end
    local limits = C.controls().limits
    for s, g in string.gmatch(h, '(%d+):(%d+)') do
      local l = limits[tonumber(s)]
      if l and l.m and l.g == tonumber(g) then
        local full = l.busy >= l.m
        l.busy = math.max(0, l.busy - 1)
        redis.call('HSET', K_CONTROLS, 'busy:' .. s, string.format('%d', l.busy))
        -- A slot freed from a full cap lets a waiting task go: an idle consumer is woken for
        -- it, not polled. (A cap that was not full held nobody back: nobody to wake.)
        if full and C.any_waiting() then
          wake(1)
        end
      end
    end
  end

  -- A task of group g left flight: its count goes down, and a group parked at its cap is named
  -- for the next claim to bring back (lua/groups.lua says the fields).
  function C.release_group(g)
    local c = redis.call('HGET', K_HELD, '\t' .. g)
    local n, parked = string.match(c or '', '^(%d+)(p?)$')
    n = math.max(0, (tonumber(n) or 1) - 1)
    if n == 0 then
      redis.call('HDEL', K_HELD, '\t' .. g)
    else
      redis.call('HSET', K_HELD, '\t' .. g, string.format('%d', n))
    end
    if parked == 'p' then
      local freed = redis.call('HGET', K_HELD, '\t\t')
      redis.call('HSET', K_HELD, '\t\t', freed and (freed .. '\t' .. g) or g)
      wake(1)
    end
  end

  -- Selection under controls, for the claim script: pauses, rate limits and in-flight caps, on
  -- the server's clock. Candidates are the head of pending and the heads of the lines of
  -- limited types that may let a task go, per priority that is not paused (or per priority for
  -- aging); the best of them by priority and arrival (or aged rank) is taken, so order holds
  -- across types. A head of pending whose type is limited and may not go now moves to its
  -- type's line, keeping its score (its place in line), at most MAX_MOVES a call: that is what
  -- lets a later task of another type pass it, and each task moves once. A call reads at most
  -- (1 + 8) lines x 3 priorities heads for its first task and one more head per task after
  -- that, besides the moves.
  -- Returns take() -> id, score, body (nil: nothing more may be taken); finish(claimed, want)
  -- -> what held waiting tasks back (HELD_*) and until when (ms, 0: not before a resume or a
  -- freed slot), after writing back the buckets and counts; and whether pauses ran out (the
  -- checks changed).
  local MAX_MOVES = 128
  function C.selector(now, aging)
    local cv = C.controls()
    local allowed = C.allowed
    local held_code, held_at = HELD_NONE, NEVER
    local function held(code, at)
      if held_code == HELD_NONE or (at or NEVER) < held_at then
        held_code, held_at = code, at or NEVER
      end
    end
    local paused = {}
    local open, expired = {}, false
    for p = 1, 3 do
      local u = cv.paused[p]
      if u and u > now then
        paused[p] = u
      elseif u then
        -- A pause --for that ran out: gone, so a queue with no controls left reads nothing again.
        redis.call('HDEL', K_CONTROLS, 'pause:' .. p)
        expired = true
      end
      if not paused[p] then
        open[#open + 1] = p
      end
    end
    if expired then
      C.flag()
    end
    local by_priority = aging > 0 or #open < 3
    local looks = by_priority and open or { false }
    local all = cv.limits[0]
    local moves = 0
    -- heads[set][p]: {id, score, rank, seq, body, line}, false when empty, nil when not read.
    local heads = {}
    local function read_head(set, p)
      local h
      if p then
        h = redis.call('ZRANGEBYSCORE', set, pending_score(p, 0), '(' .. pending_score(p + 1, 0),
          'LIMIT', '0', '1', 'WITHSCORES')
      else
        h = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
      end
      if #h == 0 then
        return false
      end
      local e = { id = h[1], score = h[2], seq = tonumber(string.sub(h[2], 2)) }
      e.rank = tonumber(string.sub(h[2], 1, 1))
      if aging > 0 and e.rank > 1 then
        e.body = redis.call('HGET', K_TASKS, e.id)
        local since = waiting_since(e.body)
        if since then
          e.rank = math.max(1, e.rank - math.floor((now - since) / aging))
        end
      end
      return e
    end
    -- The head of pending that may go now: one whose type is limited and may not is moved to its
    -- type's line first. nil when the moves of this call are used up.
    local function pending_head(p)
      local key = p or 0
      while true do
        local e = heads[K_PENDING][key]
        if e == nil then
          e = read_head(K_PENDING, p)
          if e then
            e.body = e.body or redis.call('HGET', K_TASKS, e.id)
            e.line = C.type_line(e.body)
          end
          heads[K_PENDING][key] = e
        end
        if not e or not e.line or allowed(cv.limits[e.line], now) > 0 then
          return e
        end
        if moves >= MAX_MOVES then
          held(HELD_RATE, now)
          return nil
        end
        redis.call('ZREM', K_PENDING, e.id)
        redis.call('ZADD', LIMITED[e.line], e.score, e.id)
        if not cv.sets[e.line] then
          cv.sets[e.line] = cv.limits[e.line].enc
        end
        moves = moves + 1
        heads[K_PENDING][key] = nil
      end
    end
    local function take_controlled()
      if #open == 0 then
        return nil
      end
      if all and allowed(all, now) == 0 then
        return nil
      end
      heads[K_PENDING] = heads[K_PENDING] or {}
      local best, best_set, best_key
      local function consider(e, set, key)
        if e and (not best or e.rank < best.rank or (e.rank == best.rank and e.seq < best.seq)) then
          best, best_set, best_key = e, set, key
        end
      end
      for _, p in ipairs(looks) do
        local e = pending_head(p)
        if e == nil and moves >= MAX_MOVES then
          return nil
        end
        consider(e, K_PENDING, p or 0)
      end
      for s = 1, #LIMITED do
        local l = cv.limits[s]
        -- A line whose limit was removed (rpq limit --off drains it) holds nothing back.
        if cv.sets[s] and (not l or allowed(l, now) > 0) then
          local set = LIMITED[s]
          heads[set] = heads[set] or {}
          for _, p in ipairs(looks) do
            local key = p or 0
            if heads[set][key] == nil then
              heads[set][key] = read_head(set, p)
              if heads[set][key] then
                heads[set][key].line = l and s or nil
              end
            end
            consider(heads[set][key], set, key)
          end
        end
      end
      if not best then
        return nil
      end
      heads[best_set][best_key] = nil
      redis.call('ZREM', best_set, best.id)
      -- Its tokens and slots: of every task, and of its type.
      local held_by = {}
      for _, s in ipairs({ 0, best.line or -1 }) do
        local l = cv.limits[s]
        if l then
          if l.T then
            l.tat = math.max(l.tat, now) + l.T
          end
          if l.m then
            l.busy = l.busy + 1
            held_by[#held_by + 1] = s .. ':' .. l.g
          end
          cv.dirty[s] = true
        end
      end
      if #held_by > 0 then
        redis.call('HSET', K_HELD, best.id, table.concat(held_by, ','))
      end
      return best.id, best.score, best.body
    end
    local function finish(claimed, want)
      for sl in pairs(cv.dirty) do
        local l = cv.limits[sl]
        redis.call('HSET', K_CONTROLS, 'tat:' .. sl, string.format('%.3f', l.tat),
          'busy:' .. sl, string.format('%d', l.busy))
      end
      if claimed == 0 and want > 0 and C.any_waiting() then
        for p in pairs(paused) do
          held(HELD_PAUSED, paused[p] < NEVER and paused[p] or nil)
        end
        for sl = 0, #LIMITED do
          local l = cv.limits[sl]
          if l and allowed(l, now) == 0 and (sl == 0 or redis.call('EXISTS', LIMITED[sl]) == 1) then
            local at = C.next_token(l, now)
            held(at and HELD_RATE or HELD_IN_FLIGHT, at)
          end
        end
        return held_code, held_at < NEVER and held_at or 0
      end
      return HELD_NONE, 0
    end
    return take_controlled, finish, expired
  end
  return C
end

-- unlease and expire (common.lua) as a queue with controls needs them; the closures of the
-- prelude that call them (ack, drop_cancelled, the claim) see these, as they hold the variables.
-- A task that leaves flight gives back the slots of the in-flight caps it counted against.
local unlease_plain = unlease
unlease = function(id)
  unlease_plain(id)
  if CTL_FLAG == nil then
    CTL_FLAG = select(4, checks_read())
  end
  if CTL_FLAG == 1 then
    ctl().release_held(id)
  end
end

-- A task that waits in the line of its limited type goes back to pending first, where expire
-- looks for it (if it does not expire after all, the next claim moves it again).
local expire_plain = expire
expire = function(id, deadline)
  local set, score = ctl().waiting_in(id)
  if set and set ~= K_PENDING then
    redis.call('ZREM', set, id)
    redis.call('ZADD', K_PENDING, score, id)
  end
  return expire_plain(id, deadline)
end
