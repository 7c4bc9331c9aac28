-- controls: pauses, rate limits and in-flight caps (issue 13), the part of the prelude of the
-- scripts that act on them (claim once a queue has controls, ack, fail, release, extend, cancel,
-- move, inspect, peek, clear, control); push and a claim of a queue without controls go without
-- it, so that Lua's memory, which Redis's garbage collector walks every 50 script calls, holds
-- none of it for them. Everything is in the controls hash (common.lua's header), which nothing
-- reads while the checks say it is empty.
-- A pause stops the claims of one priority until a time ("pause:P"; NEVER: until resumed).
-- A limit has a line S: 0 holds back every task of the shard; any other number (taken from the
-- stats counter ctl_gen when the limit is first set) the tasks of one type ("set:S" = the type,
-- JSON-encoded as in a body; "t:TYPE" = S, its line by type; "types" counts the limited types).
-- "limit:S" = "G|T|b|m|n|per|B|M": its generation G, the ms between two tokens and the bucket's
-- size on this shard (T empty: no rate), the cap on this shard (m empty: none), and the limit
-- as it was set (n tasks per `per` ms, burst B, cap M), for `rpq limit` to show. A rate is a
-- GCRA bucket: "tat:S" is its theoretical arrival time (ms); at `now` a claim may take
-- floor((now - max(tat, now)) / T + b) tasks, and each one it takes adds T to it. "busy:S"
-- counts the tasks in flight against the cap; each such task has "S:G" in the held hash, so
-- whatever takes it out of flight (unlease: ack, fail, release, cancel, lease recovery) gives
-- the slot back, and a limit removed and set again (a new G) is not paid back for old tasks.
-- Any number of limited types (issue 23), each claim O(log n) in them, with no scan of types:
-- a waiting task that meets a limit it may not pass now leaves pending for `limited` (id ->
-- its pending score: the readers of waiting tasks read both) and gets an entry in its line of
-- `lines` ("LINE\tpending score\tid", all scores 0: a line's first task of priority P is one
-- ZRANGE BYLEX). A line is a type's (S) or, on a shard with limits of groups and of types or
-- priorities together, a group's ("g" then the group's key as groups.lua stores it). A line
-- that may go shows its first task of each priority in `lheads` (member: the priority digit
-- then the line; score: that task's pending score), so the best head of every line is one
-- ZRANGE; a line at its limit is parked instead, in `lparked` (line -> when a claim looks
-- again: its next token, NEVER for a pause until resumed, a minute for a cap, which the slot
-- freed brings back before). A line whose limit is gone goes on as one that may always go,
-- until `rpq limit --off` drains it back into pending; the controls flag stays on while
-- `limited` holds a task, so nothing waits where no claim looks.
local K_CONTROLS, K_HELD = KEYS[16], KEYS[17]
local K_LIMITED, K_LINES, K_LHEADS, K_LPARKED = KEYS[18], KEYS[19], KEYS[20], KEYS[21]
-- A script with controls gets every key of the layout (keys.rs: LAYOUT, with the keys of flows
-- after these: flows.lua); keys after them (the worker runtime's result keys) are numbered
-- from here.
local LAYOUT_KEYS = 25
assert(K_LPARKED, 'rpq: the controls of a queue need every key of its layout')

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
  C.K_CONTROLS, C.K_HELD, C.K_LIMITED, C.K_LINES = K_CONTROLS, K_HELD, K_LIMITED, K_LINES
  C.K_LHEADS, C.K_LPARKED = K_LHEADS, K_LPARKED
  -- A line parked at a cap looks again after this long, in case its count was lost (rpq
  -- clear); the slot freed brings it back before.
  local CAP_RECHECK_MS = 60000

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

  -- A limit as stored, with its bucket's time and its count: {g, T, b, m, tat, busy}.
  local function stored_limit(def, tat, busy)
    local g, t, b, m = string.match(def, '^(%d+)|([^|]*)|([^|]*)|([^|]*)|')
    return {
      g = tonumber(g), T = tonumber(t), b = tonumber(b) or 1, m = tonumber(m),
      tat = tonumber(tat) or 0, busy = tonumber(busy) or 0,
    }
  end

  -- What every claim needs of the controls hash, read once per call with one HMGET (never the
  -- whole hash: it holds a few fields per limited type): {paused = {[P] = until}, limits =
  -- {[0] = every task's}, types = limited types, groups = whether groups have limits or
  -- pauses, dirty = {}}; the limit of a type is read when a task of it is met (C.limit).
  local parsed = nil
  function C.controls()
    if parsed then
      return parsed
    end
    parsed = { paused = {}, limits = {}, dirty = {}, types = 0, groups = false }
    if not controlled() then
      return parsed
    end
    local v = redis.call('HMGET', K_CONTROLS, 'pause:1', 'pause:2', 'pause:3', 'limit:0',
      'tat:0', 'busy:0', 'types', 'glimit', 'groups')
    for p = 1, 3 do
      parsed.paused[p] = tonumber(v[p])
    end
    if v[4] then
      parsed.limits[0] = stored_limit(v[4], v[5], v[6])
    end
    parsed.types = tonumber(v[7]) or 0
    parsed.groups = v[8] ~= false or (tonumber(v[9]) or 0) > 0
    return parsed
  end

  -- The limit of line s (0: every task), nil for none; read once per call.
  function C.limit(s)
    local limits = C.controls().limits
    local l = limits[s]
    if l == nil and s ~= 0 then
      local v = redis.call('HMGET', K_CONTROLS, 'limit:' .. s, 'tat:' .. s, 'busy:' .. s)
      l = v[1] and stored_limit(v[1], v[2], v[3]) or false
      limits[s] = l
    end
    return l or nil
  end

  -- After a change to the controls hash or to `limited`: the flag every claim reads (written by
  -- stats_write), on while either holds anything.
  function C.flag()
    CTL_FLAG = redis.call('EXISTS', K_CONTROLS, K_LIMITED) > 0 and 1 or 0
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

  -- The type of a stored body, JSON-encoded (with its quotes) as control.lua stores it: it
  -- follows the head's numbers, so the first ,"t": is the type's. nil when it has none.
  function C.type_of(body)
    -- (From the body of a record on: its head's error may hold anything, body_at.)
    local i = body and string.find(body, ',"t":"', body_at(body), true)
    if not i then
      return nil
    end
    local j = i + 6
    while true do
      local q = string.find(body, '["\\]', j)
      if not q then
        return nil
      end
      if string.byte(body, q) == 34 then
        return string.sub(body, i + 5, q)
      end
      j = q + 2
    end
  end

  -- Whether a stored body has the type `enc` (JSON-encoded).
  function C.has_type(body, enc)
    return C.type_of(body) == enc
  end

  -- The group of a stored body as groups.lua keys it ("" for the default group).
  C.group_of = body_group

  -- The line of type `enc` while it has one (a limit, or tasks left in its line), else nil.
  function C.line_of(enc)
    return enc and redis.call('HGET', K_CONTROLS, 't:' .. enc) or nil
  end

  -- The line of the limit on the type of `body`, nil when its type has none.
  function C.type_line(body)
    if C.controls().types == 0 then
      return nil
    end
    return C.line_of(C.type_of(body))
  end

  local function entry(line, score, id)
    return line .. '\t' .. score .. '\t' .. id
  end

  -- The first entry of `line` of priority p, nil when none. (ZRANGE BYLEX, not ZRANGEBYLEX or
  -- ZLEXCOUNT: the commands of the ACL line of docs/running.md do it all.)
  local function first_of(line, p)
    return redis.call('ZRANGE', K_LINES, '[' .. line .. '\t' .. p,
      '(' .. line .. '\t' .. (p + 1), 'BYLEX', 'LIMIT', '0', '1')[1]
  end

  -- How many tasks wait in `line`: the ranks of its first and last entries, O(log n).
  function C.in_line(line)
    local lo = redis.call('ZRANGE', K_LINES, '[' .. line .. '\t', '(' .. line .. '\n', 'BYLEX',
      'LIMIT', '0', '1')[1]
    if not lo then
      return 0
    end
    local hi = redis.call('ZRANGE', K_LINES, '(' .. line .. '\n', '[' .. line .. '\t', 'BYLEX',
      'REV', 'LIMIT', '0', '1')[1]
    return redis.call('ZRANK', K_LINES, hi) - redis.call('ZRANK', K_LINES, lo) + 1
  end

  -- The head of priority p of a line that is not parked, after a change to it.
  local function show_head(line, p)
    local h = first_of(line, p)
    if h then
      redis.call('ZADD', K_LHEADS, string.match(h, '\t(%d+)\t'), p .. line)
    else
      redis.call('ZREM', K_LHEADS, p .. line)
    end
  end

  -- Line `line` may go no more until `at`: out of the heads, into the parked lines (the
  -- earlier time when it is parked already).
  function C.park(line, at)
    redis.call('ZREM', K_LHEADS, '1' .. line, '2' .. line, '3' .. line)
    redis.call('ZADD', K_LPARKED, 'LT', string.format('%d', math.ceil(at)), line)
  end

  -- A parked line looks again (a slot freed, its time came, its limit changed): its heads are
  -- shown; the claim parks it again if it still may not go. True when it was parked.
  function C.unpark(line)
    if redis.call('ZREM', K_LPARKED, line) == 0 then
      return false
    end
    for p = 1, 3 do
      show_head(line, p)
    end
    return true
  end

  -- Waiting task `id` (pending score `score`) waits in `line`, out of pending.
  local function hold(line, id, score)
    redis.call('ZADD', K_LIMITED, score, id)
    redis.call('ZADD', K_LINES, '0', entry(line, score, id))
  end

  -- Its entry leaves `line`; a shown head moves on to the next of its priority.
  local function leave(line, score, id)
    if redis.call('ZREM', K_LINES, entry(line, score, id)) == 0 then
      return
    end
    local p = string.sub(score, 1, 1)
    if redis.call('ZSCORE', K_LHEADS, p .. line) then
      show_head(line, p)
    end
  end

  -- Task `id` of `limited` (at `score`) waits there no more: out of its line and of the set,
  -- for the caller to put it elsewhere (cancel, move, expiry, drain).
  function C.unhold(id, score)
    local body = redis.call('HGET', K_TASKS, id)
    local s = C.line_of(C.type_of(body))
    if s then
      leave(s, score, id)
    end
    leave('g' .. C.group_of(body), score, id)
    redis.call('ZREM', K_LIMITED, id)
  end

  -- The sets that hold waiting tasks: pending, and `limited` on a shard with controls.
  function C.waiting_sets()
    if controlled() then
      return { K_PENDING, K_LIMITED }
    end
    return { K_PENDING }
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
    return redis.call('EXISTS', K_PENDING, K_LIMITED) > 0
  end

  -- The first `n` tasks of type line s back into pending (its limit is gone); how many are left.
  function C.drain(s, n)
    local some = redis.call('ZRANGE', K_LINES, '[' .. s .. '\t', '(' .. s .. '\n', 'BYLEX',
      'LIMIT', '0', n)
    for _, m in ipairs(some) do
      local score, id = string.match(m, '\t(%d+)\t(.*)$')
      redis.call('ZREM', K_LINES, m)
      if redis.call('ZREM', K_LIMITED, id) == 1 then
        redis.call('ZADD', K_PENDING, score, id)
        -- groups (issue 23): back into its group's line too, to be claimed in its turn.
        if grp and grp().on then
          grp().index_id(id, score)
        end
      end
    end
    if #some > 0 then
      wake(math.min(#some, WAKE_CAP))
    end
    local left = C.in_line(s)
    if left == 0 then
      redis.call('ZREM', K_LHEADS, '1' .. s, '2' .. s, '3' .. s)
      redis.call('ZREM', K_LPARKED, s)
    elseif not C.unpark(s) then
      for p = 1, 3 do
        show_head(s, p)
      end
    end
    return left
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
    for s, g in string.gmatch(h, '(%d+):(%d+)') do
      local l = C.limit(tonumber(s))
      if l and l.m and l.g == tonumber(g) then
        local full = l.busy >= l.m
        l.busy = math.max(0, l.busy - 1)
        redis.call('HSET', K_CONTROLS, 'busy:' .. s, string.format('%d', l.busy))
        -- A slot freed from a full cap lets a waiting task go: an idle consumer is woken for
        -- it, not polled. (A cap that was not full held nobody back: nobody to wake.)
        local back = s ~= '0' and C.unpark(s)
        if (full or back) and C.any_waiting() then
          wake(1)
        end
      end
    end
  end

  -- A task of group g left flight: its count goes down, and a group parked at its cap is named
  -- for the next claim to bring back (lua/groups.lua says the fields); its line, on a shard
  -- where limits of groups and of types go together, looks again.
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
    elseif C.unpark('g' .. g) then
      wake(1)
    end
  end

  -- Selection under controls, for the claim script: pauses, rate limits and in-flight caps, on
  -- the server's clock; with `gated`, the limits and pauses of groups too (groups.lua, begun by
  -- the claim). Candidates are the head of pending and the best head of the lines that may go
  -- (one ZRANGE of lheads), per priority that is not paused (or per priority for aging); the
  -- best of them by priority and arrival (or aged rank) is taken if every limit it counts
  -- against lets it go, so order holds across types. Else the line of the limit that holds it
  -- back is parked and the task waits in it (out of pending, or out of another line), keeping
  -- its score (its place in line), at most MAX_MOVES a call: that is what lets a later task of
  -- another type pass it, and each task moves once per limit met. A call reads O(log n) per
  -- task it looks at, n the tasks waiting and the lines, whatever the number of limited types.
  -- Returns take() -> id, score, body (nil: nothing more may be taken); finish(claimed, want)
  -- -> what held waiting tasks back (HELD_*) and until when (ms, 0: not before a resume or a
  -- freed slot), after writing back the buckets and counts; and whether pauses ran out (the
  -- checks changed).
  local MAX_MOVES = 128
  function C.selector(now, aging, gated)
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
    -- Lines whose time came look again (64 a call: the rest on the next). A shard whose
    -- controls are only pauses and a limit of every task has none: no read of them.
    local lined = cv.types > 0 or gated or redis.call('EXISTS', K_LIMITED) == 1
    if lined then
      for _, line in ipairs(redis.call('ZRANGEBYSCORE', K_LPARKED, '-inf',
        string.format('%d', now), 'LIMIT', '0', '64')) do
        C.unpark(line)
      end
    end
    local by_priority = aging > 0 or #open < 3
    local looks = by_priority and open or { false }
    local all = cv.limits[0]
    local moves = 0
    local function ranked(id, score, e)
      e.id, e.score, e.seq = id, score, tonumber(string.sub(score, 2))
      e.rank = tonumber(string.sub(score, 1, 1))
      if aging > 0 and e.rank > 1 then
        e.body = redis.call('HGET', K_TASKS, id)
        local since = waiting_since(e.body)
        if since then
          e.rank = math.max(1, e.rank - math.floor((now - since) / aging))
        end
      end
      return e
    end
    -- The head of pending of priority p (false: of any), false when none.
    local function pending_head(p)
      local h
      if p then
        h = redis.call('ZRANGEBYSCORE', K_PENDING, pending_score(p, 0),
          '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1', 'WITHSCORES')
      else
        h = redis.call('ZRANGE', K_PENDING, 0, 0, 'WITHSCORES')
      end
      return #h > 0 and ranked(h[1], h[2], {}) or false
    end
    -- The best head of the lines that may go, of priority p (false: of any); false when none.
    local function line_head(p)
      while lined do
        local h
        if p then
          h = redis.call('ZRANGEBYSCORE', K_LHEADS, pending_score(p, 0),
            '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1')
        else
          h = redis.call('ZRANGE', K_LHEADS, 0, 0)
        end
        if #h == 0 then
          return false
        end
        local line = string.sub(h[1], 2)
        local m = first_of(line, string.sub(h[1], 1, 1))
        if m then
          local score, id = string.match(m, '\t(%d+)\t(.*)$')
          if redis.call('ZSCORE', K_LIMITED, id) then
            return ranked(id, score, { line = line })
          end
          -- Left by a way that did not tidy its line (an older rpq, clear).
          leave(line, score, id)
        else
          redis.call('ZREM', K_LHEADS, h[1])
        end
      end
      return false
    end
    -- The line whose limit holds `e` back now, until when (ms); nil when every limit it counts
    -- against lets it go (every task's aside: it holds back all or none).
    local function holder(e)
      local s = C.type_line(e.body)
      e.type_line = s
      local l = s and C.limit(tonumber(s))
      if l and allowed(l, now) == 0 then
        return s, C.next_token(l, now) or now + CAP_RECHECK_MS
      end
      if gated then
        local at = grp().blocked(C.group_of(e.body))
        if at then
          return 'g' .. C.group_of(e.body), at
        end
      end
      return nil
    end
    local pend = {}
    local function take_controlled()
      if #open == 0 then
        return nil
      end
      if all and allowed(all, now) == 0 then
        return nil
      end
      while true do
        local best, best_key
        for _, p in ipairs(looks) do
          local key = p or 0
          if pend[key] == nil then
            pend[key] = pending_head(p)
          end
          for _, e in ipairs({ pend[key], line_head(p) }) do
            if e and (not best or e.rank < best.rank or (e.rank == best.rank and e.seq < best.seq)) then
              best, best_key = e, key
            end
          end
        end
        if not best then
          return nil
        end
        best.body = best.body or redis.call('HGET', K_TASKS, best.id)
        local line, at = holder(best)
        if not line then
          if best.line then
            leave(best.line, best.score, best.id)
            redis.call('ZREM', K_LIMITED, best.id)
          else
            redis.call('ZREM', K_PENDING, best.id)
            pend[best_key] = nil
          end
          -- Its tokens and slots: of every task, of its type and of its group.
          local held_by = {}
          local counted = { 0, tonumber(best.type_line) }
          for _, sl in ipairs(counted) do
            local l = C.limit(sl)
            if l then
              if l.T then
                l.tat = math.max(l.tat, now) + l.T
              end
              if l.m then
                l.busy = l.busy + 1
                held_by[#held_by + 1] = sl .. ':' .. l.g
              end
              cv.dirty[sl] = true
            end
          end
          local entry_of = table.concat(held_by, ',')
          if gated then
            local g = C.group_of(best.body)
            grp().count(g, best.id)
            entry_of = '\t' .. g .. '\t' .. entry_of
          end
          if entry_of ~= '' then
            redis.call('HSET', K_HELD, best.id, entry_of)
          end
          return best.id, best.score, best.body
        end
        if moves >= MAX_MOVES then
          held(HELD_RATE, now)
          return nil
        end
        moves = moves + 1
        if best.line ~= line then
          if best.line then
            leave(best.line, best.score, best.id)
          else
            redis.call('ZREM', K_PENDING, best.id)
            pend[best_key] = nil
          end
          hold(line, best.id, best.score)
          lined = true
        end
        C.park(line, at)
      end
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
        if all and allowed(all, now) == 0 then
          local at = C.next_token(all, now)
          held(at and HELD_RATE or HELD_IN_FLIGHT, at)
        end
        -- The line that looks again first says what holds the rest back.
        local first = redis.call('ZRANGE', K_LPARKED, 0, 0, 'WITHSCORES')
        if #first > 0 then
          local line, at = first[1], tonumber(first[2])
          local cap
          if string.sub(line, 1, 1) == 'g' then
            if grp and grp().limited then
              cap = select(2, grp().blocked(string.sub(line, 2)))
            end
          else
            local l = C.limit(tonumber(line))
            cap = l and l.m and l.busy >= l.m
          end
          if at >= NEVER then
            held(HELD_PAUSED, nil)
          elseif cap then
            held(HELD_IN_FLIGHT, nil)
          else
            held(HELD_RATE, math.max(at, now))
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
unlease = function(id, member)
  unlease_plain(id, member)
  if CTL_FLAG == nil then
    CTL_FLAG = select(4, checks_read())
  end
  if CTL_FLAG == 1 then
    ctl().release_held(id)
  end
end

-- A task that waits in a line goes back to pending first, where expire looks for it (if it does
-- not expire after all, the next claim moves it again).
local expire_plain = expire
expire = function(id, deadline)
  local set, score = ctl().waiting_in(id)
  if set and set ~= K_PENDING then
    ctl().unhold(id, score)
    redis.call('ZADD', K_PENDING, score, id)
  end
  return expire_plain(id, deadline)
end
