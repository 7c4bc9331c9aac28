-- groups: fair scheduling between groups of tasks (issue 23, docs/groups.md), the part of the
-- prelude of the scripts that act on groups (push, claim, fast claim and release of a shard
-- whose checks carry the flag letter 'g'); the others go without it. Rust sends these scripts
-- three more keys, first after the layout's keys it sends (the fast claim's, the core keys, or
-- every key with controls), before any result key:
-- gpending zset, all scores 0: "group\tpending score\tid" for every waiting task of the shard
--   while the flag is set (the default group is ""): lexical order is group, then priority,
--   then arrival, so a group's head is one ZRANGEBYLEX, O(log n). The task itself stays in
--   pending, so every reader of waiting tasks (list, len, peek, cancel, move, expiry) sees it as
--   before: an entry whose task left pending by another way is dropped when the claim meets it.
-- groups zset: group -> its head's priority x 10^15 + its virtual start tag: the group a claim
--   serves next is the first member (start-time fair queueing), O(log n).
-- gstate hash: "V" = the virtual time (the tag of the group served last); "w:GROUP" = a weight
--   set with `rpq group weight` (1 when missing).
-- A group's key is as its task's body holds it (JSON-escaped, without the quotes): the same
-- key always reads the same, and it holds no control character (check_group), so the tab ends
-- it and no group's entries fall inside another's range.
-- After the fast claim's keys, the core keys or every key (LAYOUT_KEYS, flows' among them).
local G_BASE = 29
for _, b in ipairs({ 11, 15 }) do
  if string.sub(KEYS[b + 1] or '', -8) == 'gpending' then
    G_BASE = b
    break
  end
end
local K_GPENDING, K_GROUPS, K_GSTATE = KEYS[G_BASE + 1], KEYS[G_BASE + 2], KEYS[G_BASE + 3]
assert(K_GSTATE, 'rpq: the groups of a shard need their three keys')
-- Keys after them (the worker runtime's result keys) are numbered from here.
local GROUP_KEYS_END = G_BASE + 3

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
    if not body then
      return ''
    end
    local t = string.find(body, '"t":', 1, true)
    local i = string.find(body, '"g":"', 1, true)
    if not i or (t and i > t) then
      return ''
    end
    local j = i + 5
    while true do
      local q = string.find(body, '["\\]', j)
      if not q then
        return ''
      end
      if string.byte(body, q) == 34 then
        return string.sub(body, i + 5, q - 1)
      end
      j = q + 2
    end
  end

  local function vnow()
    if vtime == nil then
      vtime = tonumber(redis.call('HGET', K_GSTATE, 'V') or '0') or 0
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
      if #head == 0 then
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
          return id, score
        end
      end
    end
    return nil
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
  -- group is in groups until its last entry is taken).
  function G.idle()
    return redis.call('EXISTS', K_GROUPS) == 0
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
  end
  return G
end
