-- groups: fair scheduling between groups of tasks (issue 23, docs/groups.md), the part of the
-- prelude of the scripts that act on groups (push, claim and release of a shard whose checks
-- carry the flag letter 'g'; the fast claim carries group_turns.lua alone); the others go
-- without it. Rust sends these scripts five more keys (the fast claim the first three), first
-- after the layout's keys it sends (the fast claim's, the core keys, or every key with
-- controls), before any result key:
-- gpending zset, all scores 0: "group\tpending score\tid" for every waiting task of the shard
--   while the flag is set (the default group is ""): lexical order is group, then priority,
--   then arrival, so a group's head is one ZRANGEBYLEX, O(log n). The task itself stays in
--   pending, so every reader of waiting tasks (list, len, peek, cancel, move, expiry) sees it as
--   before: an entry whose task left pending by another way is dropped when the claim meets it.
-- groups zset: group -> its head's priority x 10^15 + its virtual start tag: the group a claim
--   serves next is the first member (start-time fair queueing), O(log n).
-- gstate hash: "V" = the virtual time, kept while no group is in the turns (the tag of the
--   group served last; while some group is, it is read from the first: vnow); "w:GROUP" = a
--   weight set with `rpq group weight` (1 when missing; once one is set, the checks hold the
--   flag letter "w" too, for the fast claim to read any); "l:GROUP" = the group's own limit,
--   "T|b|m|n|per|B" as controls.lua's (ms between two tokens, bucket, cap; then as asked:
--   n per ms, burst), overriding the default for every group (the controls hash's "glimit");
--   "z:GROUP" = paused until ms (NEVER: until resumed); "s:GROUP" = the start tag of a group
--   while it is parked.
-- gparked zset: group -> when a claim looks at it again (ms; a minute for a cap, which the slot
--   it frees brings back before, NEVER for a pause until resumed): groups out of the turns while at their
--   limit or paused, so no claim meets them. Their tasks stay in gpending and pending.
-- gtat zset: group -> its rate's theoretical arrival time (ms, GCRA as controls.lua's); a
--   member whose time passed is a full bucket and is pruned, so an idle group leaves nothing.
-- With a group limit or pause the shard has controls (the controls hash holds "glimit" and/or
-- "groups", the count of "l:" and "z:" fields), so every way out of flight runs controls.lua's
-- unlease: a task claimed under group limits has "\tGROUP\t" at the head of its held entry,
-- the held hash's field "\tGROUP" counts the group's tasks in flight ("Np": N, and the group is
-- parked at its cap), and a slot freed from a parked group appends it to the field "\t\t" (ids
-- hold no tab, so no task's entry is one of these), for the next claim to bring back.
-- A group's key is as its task's body holds it (JSON-escaped, without the quotes): the same
-- key always reads the same, and it holds no control character (check_group), so the tab ends
-- it and no group's entries fall inside another's range.
-- Where these keys sit among KEYS, and the fast claim's turns: group_turns.lua, which every
-- script with this file carries before it.

-- The library, built on first use (as controls.lua's: each helper a prelude defines is a
-- closure made on every call).
local GRP_LIB = nil
grp = function()
  if GRP_LIB then
    return GRP_LIB
  end
  local G = {}
  GRP_LIB = G
  -- The step a serve moves a group's tag by, for weight 1; a weight w moves it by STEP / w.
  local STEP = 1000000
  local PRIO = 1000000000000000
  -- Whether the flag is on in this call (the caller says, from the checks it read).
  G.on = false
  local vtime = nil
  local moved_v = false
  local seen = {}

  -- The group of a stored body ("g" in its head, before "t"), or "" for the default group. A
  -- body from the push script's arguments lacks the leading {"c":.., which changes nothing.
  function G.group_of(body)
    -- A body as pushed, without settings, begins with it (told without a string made: a
    -- push makes this test for each task).
    return body_group(body, body and string.find(body, '^"g":"') and 1 or nil)
  end

  -- The virtual time: the tag of the group a claim serves next (the first in the turns, whose
  -- tag is the smallest at its priority and at least that of the group served last), else,
  -- with no group in the turns, the one kept when the last left them. A claim need not write
  -- it on every turn.
  local function vnow()
    if vtime == nil then
      local first = redis.call('ZRANGE', K_GROUPS, 0, 0, 'WITHSCORES')
      if #first > 0 then
        vtime = tonumber(first[2]) % PRIO
      else
        vtime = tonumber(redis.call('HGET', K_GSTATE, 'V') or '0') or 0
      end
    end
    return vtime
  end

  local function fmt(n)
    return string.format('%d', n)
  end

  -- A waiting task of pending (its id, pending score, and stored body or the push's body)
  -- joins its group's line; a group that had none starts at the virtual time, so it neither
  -- jumps ahead of groups that waited nor owes for its past. A better priority than its head's
  -- moves the group to it, keeping its tag.
  function G.index(id, score, body)
    local g = G.group_of(body)
    redis.call('ZADD', K_GPENDING, '0', g .. '\t' .. score .. '\t' .. id)
    local p = tonumber(string.sub(score, 1, 1))
    local cur = seen[g]
    if cur == nil then
      local s = redis.call('ZSCORE', K_GROUPS, g)
      cur = s and tonumber(s) or false
      -- A parked group comes back by its own way (a freed slot, its time), at its head.
      if not cur and redis.call('ZSCORE', K_GPARKED, g) then
        cur = 'parked'
      end
    end
    if cur == 'parked' then
      seen[g] = cur
      return
    end
    if not cur then
      cur = p * PRIO + vnow()
      redis.call('ZADD', K_GROUPS, fmt(cur), g)
    elseif p < math.floor(cur / PRIO) then
      cur = p * PRIO + cur % PRIO
      redis.call('ZADD', K_GROUPS, fmt(cur), g)
    end
    seen[g] = cur
  end

  -- index for a whole batch of the push (push.lua): zargs holds the pending score and id of
  -- each task the push queued, in the order of its n tuples of argv (id, priority, body), whose
  -- flag out[i + 1] is PUSH_QUEUED. The same effect as index in turn, in a few calls for the
  -- batch where index makes up to four a task: the entries in one ZADD, the batch's groups
  -- added with ZADD NX when its first one is new to the turns (and no group is parked), else,
  -- or when some had a turn, their scores in one ZMSCORE (and, only while some group is
  -- parked, whether they are) and the groups new or at a better priority in one ZADD; a new
  -- group's score printed once for each priority. Per task it makes one string (the entry)
  -- and reads the group with one match: a grouped push's work over the plain one's is mostly
  -- this loop and the entries' ZADD. The entries take zargs' places (the push is done with
  -- it): no table made and grown for them.
  function G.index_many(zargs, out, n, argv)
    local entries, best, order = zargs, {}, {}
    local ne, no = 0, 0
    local digit = { ['1'] = 1, ['2'] = 2, ['3'] = 3 }
    for i = 1, n do
      if out[i + 1] == PUSH_QUEUED then
        local body = argv[3 * i + 2]
        -- A body as pushed begins with its group (escaped or not there: group_of).
        local g = string.match(body, '^"g":"([^"\\]*)"') or G.group_of(body)
        entries[ne + 2] = g .. '\t' .. zargs[ne + 1] .. '\t' .. zargs[ne + 2]
        entries[ne + 1] = '0'
        ne = ne + 2
        local p = digit[argv[3 * i + 1]]
        local b = best[g]
        if not b then
          no = no + 1
          order[no] = g
          best[g] = p
        elseif p < b then
          best[g] = p
        end
      end
    end
    for c = 1, ne, 1000 do
      redis.call('ZADD', K_GPENDING, unpack(entries, c, math.min(c + 999, ne)))
    end
    local parked = redis.call('EXISTS', K_GPARKED) == 1
    local starts, zadd, nz = {}, {}, 0
    -- A batch whose first group has no turn is most likely of groups new to the turns (a group
    -- of one task, many groups): they join at their start with NX, which reads no score, where
    -- ZMSCORE has the server print each group's (some 4,000 server instructions a group that
    -- has one, 1,300 a task at 5,000 groups of one task each). Only if some had a turn are the
    -- scores read, below: those just added are at their start and stay.
    if not parked and not redis.call('ZSCORE', K_GROUPS, order[1]) then
      local z = {}
      for i = 1, no do
        local g = order[i]
        local p = best[g]
        local start = starts[p]
        if not start then
          start = fmt(p * PRIO + vnow())
          starts[p] = start
        end
        z[2 * i - 1], z[2 * i] = start, g
      end
      local added = 0
      for c = 1, 2 * no, 1000 do
        added = added + redis.call('ZADD', K_GROUPS, 'NX', unpack(z, c, math.min(c + 999, 2 * no)))
      end
      if added == no then
        return
      end
    end
    for c = 1, no, 1000 do
      local last = math.min(c + 999, no)
      local scores = redis.call('ZMSCORE', K_GROUPS, unpack(order, c, last))
      local held = parked and redis.call('ZMSCORE', K_GPARKED, unpack(order, c, last))
      for i = 1, last - c + 1 do
        local g = order[c + i - 1]
        local p = best[g]
        local s = scores[i]
        if s then
          -- At a worse priority than p: moved to p, its tag kept. A score's first digit is its
          -- priority however the server prints it (it is below 4 x 10^15): read as a number
          -- only to be moved (a tonumber a group cost more than the rest of its test).
          if string.byte(s, 1) - 48 > p then
            zadd[nz + 1], zadd[nz + 2] = fmt(p * PRIO + tonumber(s) % PRIO), g
            nz = nz + 2
          end
        elseif not (held and held[i]) then
          -- A parked group comes back by its own way (a freed slot, its time), at its head.
          local start = starts[p]
          if not start then
            start = fmt(p * PRIO + vnow())
            starts[p] = start
          end
          zadd[nz + 1], zadd[nz + 2] = start, g
          nz = nz + 2
        end
      end
    end
    for c = 1, nz, 1000 do
      redis.call('ZADD', K_GROUPS, unpack(zadd, c, math.min(c + 999, nz)))
    end
  end

  -- index of a task known by id only (recovery, a due retry): its body read for its group.
  function G.index_id(id, score)
    if G.on then
      G.index(id, score, redis.call('HGET', K_TASKS, id))
    end
  end

  -- The next task by fairness: the first group (best head priority, then smallest tag), its
  -- head out of pending, the group moved on by STEP / its weight, or gone with its last task.
  -- Returns id, pending score; nil when no group has work (pending may still hold tasks that
  -- came back by a way that does not index them: the caller takes those as before).
  function G.take()
    for _ = 1, 64 do
      local first = redis.call('ZRANGE', K_GROUPS, 0, 0, 'WITHSCORES')
      if #first == 0 then
        return nil
      end
      local g, sc = first[1], tonumber(first[2])
      seen[g] = nil
      local head = redis.call('ZRANGEBYLEX', K_GPENDING, '[' .. g .. '\t', '(' .. g .. '\n',
        'LIMIT', '0', '2')
      local at, cap
      if #head > 0 and G.limited then
        at, cap = G.blocked(g)
      end
      if at then
        G.park(g, sc % PRIO, at, cap)
      elseif #head == 0 then
        redis.call('ZREM', K_GROUPS, g)
      else
        local member = head[1]
        local score, id = string.match(member, '\t(%d+)\t(.*)$')
        redis.call('ZREM', K_GPENDING, member)
        local tag = sc % PRIO
        local took = redis.call('ZREM', K_PENDING, id) == 1
        if took then
          local w = tonumber(redis.call('HGET', K_GSTATE, 'w:' .. g) or '1') or 1
          vtime, moved_v = tag, true
          tag = tag + math.floor(STEP / w)
        end
        -- The group's next head sets its priority; a stale entry is met on its turn.
        if head[2] then
          local np = tonumber(string.match(head[2], '\t(%d)%d*\t'))
          redis.call('ZADD', K_GROUPS, fmt(np * PRIO + tag), g)
        else
          redis.call('ZREM', K_GROUPS, g)
        end
        if took then
          if G.limited then
            G.count(g, id)
          end
          return id, score
        end
      end
    end
    -- More groups at their limit in a row than one call looks at: the next claim goes on.
    return nil, true
  end

  -- A task taken from pending by another selection (aging, controls): its entry goes, and its
  -- group with its last one, so the index stays bounded by the tasks waiting.
  function G.unindex(id, score, body)
    local g = G.group_of(body or redis.call('HGET', K_TASKS, id))
    redis.call('ZREM', K_GPENDING, g .. '\t' .. score .. '\t' .. id)
    local h = redis.call('ZRANGEBYLEX', K_GPENDING, '[' .. g .. '\t', '(' .. g .. '\n',
      'LIMIT', '0', '1')
    if #h == 0 then
      redis.call('ZREM', K_GROUPS, g)
      seen[g] = nil
    end
  end

  -- Whether no group has work left (then nothing is left in gpending either: every entry's
  -- group is in groups or parked until its last entry is taken).
  function G.idle()
    return redis.call('EXISTS', K_GROUPS, K_GPARKED) == 0
  end

  -- The end of a call: the virtual time, when it moved.
  function G.finish()
    if moved_v then
      redis.call('HSET', K_GSTATE, 'V', fmt(vtime))
    end
  end

  -- The flag turns on: every task already waiting joins its group's line (once, when a shard
  -- meets its first group; O(n) in the tasks waiting then).
  function G.start()
    G.on = true
    local n = redis.call('ZCARD', K_PENDING)
    for k = 0, n - 1, 1000 do
      local page = redis.call('ZRANGE', K_PENDING, k, k + 999, 'WITHSCORES')
      for i = 1, #page, 2 do
        G.index(page[i], page[i + 1], redis.call('HGET', K_TASKS, page[i]))
      end
    end
  end

  -- The push of n tasks of `fields` arguments each, on a shard whose flags are `flags`: the
  -- flag is on, or this push has a group and turns it on; else the push indexes nothing.
  function G.start_push(n, fields, flags)
    if string.find(flags, 'g', 1, true) then
      G.on = true
      return
    end
    for i = 1, n do
      if G.group_of(ARGV[5 + (i - 1) * fields]) ~= '' then
        local pruned_at, recover_at, aging, ctl_flag = checks_read()
        stats_write(nil, nil, pruned_at, recover_at, aging, ctl_flag, flags .. 'g')
        G.start()
        return
      end
    end
  end

  -- The flag turns off, with no group left: only settings stay (the weights).
  function G.stop()
    G.on = false
    redis.call('DEL', K_GPENDING, K_GROUPS)
    redis.call('HDEL', K_GSTATE, 'V')
    -- Buckets still refilling outlive the flag (a group drained and pushed to again must not
    -- find its bucket full), until their time: nothing prunes them while the flag is off.
    local last = redis.call('ZRANGE', K_GTAT, -1, -1, 'WITHSCORES')
    if #last > 0 then
      redis.call('PEXPIREAT', K_GTAT, string.format('%d', tonumber(last[2]) + 1))
    end
  end
  -- Limits and pauses of groups (issue 23): only in the claim of a shard whose controls hold
  -- some and nothing else (claim.lua calls G.begin), with every key, so KEYS[16] and [17]
  -- are the controls and held hashes (controls.lua).
  G.limited = false
  local K_CTL, K_HLD = KEYS[16], KEYS[17]
  local CAP_RECHECK_MS = 60000
  local now = 0
  local each = nil
  local tidy = false

  -- A limit as stored: {T = ms a token, b = bucket, m = cap}, nil for none.
  local function parse_limit(v)
    if not v then
      return nil
    end
    local t, b, m = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|')
    if not t then
      return nil
    end
    return { T = tonumber(t), b = tonumber(b) or 1, m = tonumber(m) }
  end

  -- The claim's start: the default limit and whether any group setting is left; then the
  -- groups a freed slot or their time brings back (at most 64 by time a call: the rest on the
  -- next).
  function G.begin(at)
    G.limited, now = true, at
    local v = redis.call('HMGET', K_CTL, 'glimit', 'groups')
    each = parse_limit(v[1]) or false
    tidy = not v[1] and (tonumber(v[2]) or 0) <= 0
    redis.call('ZREMRANGEBYSCORE', K_GTAT, '-inf', string.format('%d', now))
    local freed = redis.call('HGET', K_HLD, '\t\t')
    if freed then
      redis.call('HDEL', K_HLD, '\t\t')
      for g in string.gmatch(freed .. '\t', '([^\t]*)\t') do
        if redis.call('ZSCORE', K_GPARKED, g) then
          G.unpark(g)
        end
      end
    end
    for _, g in ipairs(redis.call('ZRANGEBYSCORE', K_GPARKED, '-inf', string.format('%d', now),
      'LIMIT', '0', '64')) do
      G.unpark(g)
    end
  end

  -- The limit of group g: its own, else the default for every group.
  function G.limit_of(g)
    local own = redis.call('HGET', K_GSTATE, 'l:' .. g)
    if own then
      return parse_limit(own)
    end
    return each or nil
  end

  local function in_flight(g)
    local c = redis.call('HGET', K_HLD, '\t' .. g)
    return tonumber(c and string.match(c, '^(%d+)') or '0')
  end

  -- Whether group g may not give a task now: until when (ms, NEVER: until resumed or a slot
  -- frees) and whether its cap is what holds it; nil when it may.
  function G.blocked(g)
    local z = tonumber(redis.call('HGET', K_GSTATE, 'z:' .. g) or '')
    if z then
      if z > now then
        return z, false
      end
      -- A pause --for that ran out.
      redis.call('HDEL', K_GSTATE, 'z:' .. g)
      G.settings(-1)
    end
    local l = G.limit_of(g)
    if not l then
      return nil
    end
    if l.m and in_flight(g) >= l.m then
      -- The slot it frees brings it back; the time is for a count lost with the held hash
      -- (rpq clear), so that nothing parks for good.
      return now + CAP_RECHECK_MS, true
    end
    if l.T then
      local tat = tonumber(redis.call('ZSCORE', K_GTAT, g) or '0')
      if math.floor((now - math.max(tat, now)) / l.T + l.b + 1e-9) <= 0 then
        return math.max(now + 1, math.ceil(tat - (l.b - 1) * l.T)), false
      end
    end
    return nil
  end

  -- One more task of group g in flight (the claim of `id`), and its rate's token spent.
  function G.count(g, id)
    redis.call('HSET', K_HLD, '\t' .. g, string.format('%d', in_flight(g) + 1))
    redis.call('HSET', K_HLD, id, '\t' .. g .. '\t')
    local l = G.limit_of(g)
    if l and l.T then
      local tat = tonumber(redis.call('ZSCORE', K_GTAT, g) or '0')
      local at = math.max(tat, now) + l.T
      redis.call('ZADD', K_GTAT, string.format('%.3f', at), g)
      -- The key goes when its last bucket is full again (each would be pruned then), so no
      -- script ends it: the fast claim, which drops the flag at the turns' end, lacks it.
      local last = redis.call('ZRANGE', K_GTAT, -1, -1, 'WITHSCORES')
      redis.call('PEXPIREAT', K_GTAT, string.format('%d', math.ceil(tonumber(last[2])) + 1))
    end
  end

  -- Group g leaves the turns until `at` (its tag kept); at its cap, its count says so, for the
  -- ack that frees a slot to bring it back.
  function G.park(g, tag, at, cap)
    redis.call('ZREM', K_GROUPS, g)
    redis.call('ZADD', K_GPARKED, string.format('%d', at), g)
    redis.call('HSET', K_GSTATE, 's:' .. g, fmt(tag))
    if cap then
      redis.call('HSET', K_HLD, '\t' .. g, string.format('%dp', in_flight(g)))
    end
  end

  -- Group g rejoins the turns at its head's priority, at its tag or the virtual time if that is
  -- later (it neither owes for the time it was parked nor jumps ahead for it).
  function G.unpark(g)
    redis.call('ZREM', K_GPARKED, g)
    local tag = tonumber(redis.call('HGET', K_GSTATE, 's:' .. g) or '0') or 0
    redis.call('HDEL', K_GSTATE, 's:' .. g)
    local c = redis.call('HGET', K_HLD, '\t' .. g)
    if c and string.find(c, 'p', 1, true) then
      redis.call('HSET', K_HLD, '\t' .. g, string.match(c, '^(%d+)'))
    end
    local head = redis.call('ZRANGEBYLEX', K_GPENDING, '[' .. g .. '\t', '(' .. g .. '\n',
      'LIMIT', '0', '1')
    if #head > 0 then
      local p = tonumber(string.match(head[1], '\t(%d)%d*\t'))
      redis.call('ZADD', K_GROUPS, fmt(p * PRIO + math.max(tag, vnow())), g)
    end
    seen[g] = nil
  end

  -- The count of group settings (limits of their own and pauses) in the controls hash moves.
  function G.settings(by)
    local n = redis.call('HINCRBY', K_CTL, 'groups', by)
    tidy = n <= 0 and not each
  end

  -- The next unindexed task of pending while groups are parked: a parked group's task is in
  -- pending too, and must not go by this way; up to 16 looked at a call.
  function G.fallback()
    if redis.call('EXISTS', K_GPARKED) == 0 then
      local head = redis.call('ZPOPMIN', K_PENDING)
      return head[1], head[2]
    end
    local page = redis.call('ZRANGE', K_PENDING, 0, 15, 'WITHSCORES')
    for i = 1, #page, 2 do
      local id, score = page[i], page[i + 1]
      local g = G.group_of(redis.call('HGET', K_TASKS, id))
      if not redis.call('ZSCORE', K_GPENDING, g .. '\t' .. score .. '\t' .. id) then
        redis.call('ZREM', K_PENDING, id)
        return id, score
      end
    end
    return nil
  end

  -- The claim's end under group limits: whether the controls hash lost its last group setting
  -- with no group task left in flight (its marker goes, and the shard may have no controls
  -- left); then what held tasks back when none was claimed (HELD_*, until ms or 0).
  function G.close(claimed, want)
    local gone = false
    if tidy and redis.call('EXISTS', K_HLD) == 0 then
      redis.call('HDEL', K_CTL, 'groups')
      gone = true
    end
    if claimed > 0 or want == 0 then
      return gone, HELD_NONE, 0
    end
    local first = redis.call('ZRANGE', K_GPARKED, 0, 0, 'WITHSCORES')
    if #first == 0 then
      return gone, HELD_NONE, 0
    end
    -- Only a pause until resumed parks until NEVER (a cap looks again within a minute).
    local at = tonumber(first[2])
    if at >= NEVER then
      return gone, HELD_PAUSED, 0
    end
    return gone, HELD_RATE, at
  end
  return G
end
