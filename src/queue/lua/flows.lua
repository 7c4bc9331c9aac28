-- flows: tasks that wait for other tasks (issue 24, docs/flows.md), the part of the prelude of
-- the scripts that are given every key (after controls.lua). Nothing here runs on a shard
-- without flows but a test of a nil and, in the acks outside a claim, one read of the checks:
-- the shard's flows are the letter FLOW_FLAG in the checks' flags, set by the first push with
-- parents (flow_push.lua) and cleared by the claim once no flow is left (prune).
-- KEYS[22] blocked zset: child id -> the pending score it waits at once released (its priority
--   and its push's arrival), so `list --state blocked` is in claim order
-- KEYS[23] waits hash: "child\tparent" -> 1 for each parent a blocked child still waits for;
--   "child" -> how many; "child\t!" -> what its parent's failure does to it ('run' or 'cancel';
--   none: it goes dead)
-- KEYS[24] kids hash: parent id -> its children that wait for it, tab-joined
-- KEYS[25] finished zset: id -> finished ms, each task done on the shard while it has flows,
--   for the window (the stats field 'flow_window', ms; an hour when unset: `rpq flow window`),
--   so a push naming a parent that finished before it is not refused
-- Exactly once: a child is released by the call whose HDEL of its "child\tparent" field
-- removed it, and only a call that holds the parent's claim (the ack's check and removal of the
-- claim, in the same script) gets there; a replayed ack, a late ack after a lost lease, an ack
-- of a parent run twice find the claim gone and release nothing.
local K_BLOCKED, K_WAITS, K_KIDS, K_FINISHED_AT = KEYS[22], KEYS[23], KEYS[24], KEYS[25]
assert(K_FINISHED_AT, 'rpq: flows need every key of the layout')
-- A push that names a parent the shard does not know (flow_push.lua; script.rs has the same).
local ERR_UNKNOWN_PARENT = 'RPQUNKNOWN'
-- Across queues (docs/flows.md): a child in another queue is "queue\31id" in kids (no queue
-- name or id holds a control character), and a parent in another queue is "queue\31id" in
-- the child's parents and waits. Its hash tag is not this script's, so the end of a parent
-- with such children is written to the outbox, the kids field "\30": lines "kind\tchild\tparent"
-- (kind 'd' done, 'f' failed), in the same script as the end; a consumer of this queue then
-- applies each line on the child's tag (flow_apply.lua: the HDEL of the child's wait decides,
-- so a line applied twice counts once) and only then removes it (flow_unbox.lua).
local REMOTE, OUTBOX = '\31', '\30'
-- Links owed (docs/flows.md): a child pushed here with a parent in another queue or on another
-- shard is linked there by its producer after the push; until the producer says it did
-- (flow_owed.lua), the kids field "\29" holds a line "deadline ms\tchild" for it. A consumer
-- that finds a line past its deadline (the producer died in between) links the child itself.
-- Lines are appended with now + OWED_MS, so the first is the first due.
local OWED, OWED_MS = '\29', 3000

-- flows(flags, force): the helpers, or nil while the shard has no flows (`flags`: the checks'
-- flags the caller read, else they are read here once a call); `force` builds them anyway (the
-- push that turns flows on). Built on first use: an ack of a shard without flows pays one read
-- of the checks and no closure of them.
local FLOWS_LIB, FLOWS_ON = nil, nil
-- Whether this call wrote a line to the outbox: ack.lua, keep.lua and fail.lua then end their
-- reply with OUTBOX, so that a caller that does not know the shard has flows (an ack through
-- `rpq serve`'s API) moves the lines at once (flows.rs). Never on a shard without flows.
local function outbox_written()
  return FLOWS_LIB ~= nil and FLOWS_LIB.wrote == true
end
flows = function(flags, force)
  if FLOWS_LIB then
    return FLOWS_LIB
  end
  if FLOWS_ON == nil then
    FLOWS_ON = string.find(flags or select(5, checks_read()), 'f', 1, true) ~= nil
  end
  if not FLOWS_ON and not force then
    return nil
  end
  local F = {}
  FLOWS_LIB = F
  local FLOW_FLAG = 'f'
  local now = nil
  local released = 0
  -- The dead set's cap for the children buried here (the caller's, when it has one).
  F.dead_cap = 10000

  local function now_s()
    if not now then
      local _, s = now_ms()
      now = s
    end
    return now
  end

  -- Turns flows on for this shard (the first push with parents, or the first since the flag
  -- went: the finished ids of then are kept again, prune says why they were to expire).
  function F.enable()
    local pruned_at, recover_at, aging, ctl_flag, fl = checks_read()
    if not string.find(fl, FLOW_FLAG, 1, true) then
      stats_write(nil, nil, pruned_at, recover_at, aging, ctl_flag, fl .. FLOW_FLAG)
      redis.call('PERSIST', K_FINISHED_AT)
    end
    FLOWS_ON = true
  end

  -- The children of `id`, taken out of kids (each parent is done or failed once). `ran`: the
  -- parent is done, and its children stay known as "id\t+" for the finished window, so that
  -- `rpq flow cancel` of a flow's root finds them once they are released (flow_cancel.lua);
  -- F.prune removes the field with the id's finished entry.
  local function take_kids(id, ran)
    local v = redis.call('HGET', K_KIDS, id)
    if not v then
      return {}
    end
    redis.call('HDEL', K_KIDS, id)
    if ran then
      redis.call('HSET', K_KIDS, id .. '\t+', v)
    end
    local out = {}
    for child in string.gmatch(v, '[^\t]+') do
      out[#out + 1] = child
    end
    return out
  end

  -- The parent `parent` of a blocked `child` no longer holds it back; returns true when this
  -- call took the child's wait on it (only one call ever does).
  local function unwait_one(child, parent)
    return redis.call('HDEL', K_WAITS, child .. '\t' .. parent) == 1
  end

  -- What is left of a child that leaves `blocked` other than by release: its waits.
  local function forget_waits(child)
    local body = redis.call('HGET', K_TASKS, child)
    -- (A record's place in line and head before the body: body_of.)
    local ok, t = pcall(cjson.decode, body_of(body) or '')
    if ok and type(t) == 'table' and type(t.a) == 'table' then
      local fields = {}
      for _, p in ipairs(t.a) do
        fields[#fields + 1] = child .. '\t' .. tostring(p)
      end
      if #fields > 0 then
        call_list('HDEL', K_WAITS, fields)
      end
    end
    redis.call('HDEL', K_WAITS, child, child .. '\t!')
  end
  F.forget_waits = forget_waits
  -- A task taken out of `set` (cancel_found, common.lua): a blocked one waits no more.
  F.leaves = function(id, set)
    if set == K_BLOCKED then
      forget_waits(id)
    end
  end

  -- groups (issue 23): the children released on a shard with groups by a script without
  -- groups.lua (ack.lua, fail.lua, cancel.lua, ...), "\n"-joined in a field of the waits hash
  -- no wait can be (ids hold no tab), which keeps the flows on until the next claim, which has
  -- groups.lua, puts them in their groups' lines (F.index_released).
  local RELEASED = '\t\tgroups'
  local grouped = nil
  local function shard_grouped()
    if grouped == nil then
      grouped = string.find(select(5, checks_read()), 'g', 1, true) ~= nil
    end
    return grouped
  end

  function F.index_released()
    local list = redis.call('HGET', K_WAITS, RELEASED)
    if not list then
      return
    end
    redis.call('HDEL', K_WAITS, RELEASED)
    for id in string.gmatch(list, '([^\n]+)\n') do
      local score = redis.call('ZSCORE', K_PENDING, id)
      if score then
        grp().index_id(id, score)
      end
    end
  end

  -- The child's last wait is gone: it joins the waiting line at the place of its push.
  local function release(child)
    local score = redis.call('ZSCORE', K_BLOCKED, child)
    redis.call('HDEL', K_WAITS, child, child .. '\t!')
    if score then
      redis.call('ZREM', K_BLOCKED, child)
      redis.call('ZADD', K_PENDING, score, child)
      released = released + 1
      -- groups (issue 23): into its group's line too, to be claimed in its group's turn; by
      -- the next claim when this script has no groups.lua (F.index_released).
      if grp and grp().on then
        grp().index_id(child, score)
      elseif not grp and shard_grouped() then
        local had = redis.call('HGET', K_WAITS, RELEASED)
        redis.call('HSET', K_WAITS, RELEASED, (had or '') .. child .. '\n')
      end
    end
  end

  -- Idle consumers learn of released children.
  local function wake_released()
    if released > 0 then
      wake(released)
      released = 0
    end
  end

  -- One wait of `child` on a parent was taken (unwait_one): one fewer, released at none.
  local function count_down(child)
    if not redis.call('ZSCORE', K_BLOCKED, child) then
      return
    end
    if redis.call('HINCRBY', K_WAITS, child, -1) <= 0 then
      release(child)
    end
  end

  -- The end of `parent` for a child in another queue: a line of the outbox.
  local function outbox_add(kind, child, parent)
    local line = kind .. '\t' .. child .. '\t' .. parent
    F.wrote = true
    local v = redis.call('HGET', K_KIDS, OUTBOX)
    redis.call('HSET', K_KIDS, OUTBOX, v and v .. '\n' .. line or line)
  end
  F.outbox_add = outbox_add
  local function remote(child)
    return string.find(child, REMOTE, 1, true) ~= nil
  end
  -- Whether the outbox has lines for a consumer to move (claim.lua's reply), or a link is
  -- owed past its deadline (the mover links it, flows.rs: move_outbox).
  function F.outbox_left()
    if redis.call('HEXISTS', K_KIDS, OUTBOX) == 1 then
      return true
    end
    local owed = redis.call('HGET', K_KIDS, OWED)
    return owed ~= false and (tonumber(string.match(owed, '^%d+')) or 0) <= now_ms()
  end
  -- A child pushed here waits for a link its producer makes after the push.
  function F.owe(child, at)
    local line = string.format('%d', at + OWED_MS) .. '\t' .. child
    local v = redis.call('HGET', K_KIDS, OWED)
    redis.call('HSET', K_KIDS, OWED, v and v .. '\n' .. line or line)
  end

  -- Tasks finished as done (acked, or delivered before their holder died): each is known as
  -- finished for the window, and each child that waited for it waits for one parent less.
  function F.done(ids)
    local at = now_s()
    local zargs = {}
    for _, id in ipairs(ids) do
      zargs[#zargs + 1] = at
      zargs[#zargs + 1] = id
      for _, child in ipairs(take_kids(id, true)) do
        if remote(child) then
          outbox_add('d', child, id)
        elseif unwait_one(child, id) then
          count_down(child)
        end
      end
    end
    if #zargs > 0 then
      redis.call('ZADD', K_FINISHED_AT, unpack(zargs))
    end
    wake_released()
  end

  -- Tasks that will never be done (dead, cancelled, expired): each child that waited for one
  -- goes dead ('parent ID dead'), is cancelled, or runs anyway ('run': the parent counts as
  -- done), as it was pushed; those that go hand it on to their own children, down the graph,
  -- once each (the HDEL of the wait, as for done). A worklist, not recursion: bury calls here.
  local work, busy = {}, false
  -- The wait of `child` on `parent` (an id here, or "queue\31id" of another queue) ends in
  -- the parent's failure: the child goes as it was pushed to, once (the HDEL of its wait).
  local function fail_child(child, parent)
    if not (unwait_one(child, parent) and redis.call('ZSCORE', K_BLOCKED, child)) then
      return
    end
    local policy = redis.call('HGET', K_WAITS, child .. '\t!')
    if policy == 'run' then
      count_down(child)
      return
    end
    forget_waits(child)
    redis.call('ZREM', K_BLOCKED, child)
    local name = string.match(parent, '^.*' .. REMOTE .. '(.*)$') or parent
    local reason = 'parent ' .. name .. ' dead'
    if policy == 'cancel' then
      if ev then
        ev.write('cancelled', child, nil, nil, nil, reason)
      end
      forget(child)
      work[#work + 1] = child
    else
      -- Its lifecycle event as a death of its own (events.lua), before bury hands it
      -- on to its own children (here, through the worklist).
      if ev then
        ev.write('dead', child, nil, nil, nil, reason)
      end
      -- Its record's place has its priority, for `dead retry`; bury hands it on (common.lua: flows().failed, onto the worklist).
      bury(child, tonumber(now_s()), reason, 0, F.dead_cap)
    end
  end

  -- Tasks that will never be done (dead, cancelled, expired): each child that waited for one
  -- goes dead ('parent ID dead'), is cancelled, or runs anyway ('run': the parent counts as
  -- done), as it was pushed; those that go hand it on to their own children, down the graph,
  -- once each (the HDEL of the wait, as for done). A worklist, not recursion: bury calls here.
  -- `via`: the failed parent is "queue\31id" of another queue, and `id` its child here.
  function F.failed(id, via)
    if busy then
      if via then
        fail_child(id, via)
      else
        work[#work + 1] = id
      end
      return
    end
    busy = true
    if via then
      fail_child(id, via)
    else
      work[#work + 1] = id
    end
    local k = 1
    while k <= #work do
      local parent = work[k]
      k = k + 1
      for _, child in ipairs(take_kids(parent)) do
        if remote(child) then
          outbox_add('f', child, parent)
        else
          fail_child(child, parent)
        end
      end
    end
    work, busy = {}, false
    wake_released()
  end

  -- A line of another queue's outbox (flow_apply.lua): `parent` ("queue\31id") of `child`,
  -- here, is done ('d') or failed ('f').
  function F.apply(kind, child, parent)
    if kind == 'd' then
      if unwait_one(child, parent) then
        count_down(child)
      end
      wake_released()
    else
      F.failed(child, parent)
    end
  end

  -- Known finished ids past the window go, with the children each had ("id\t+" of kids): at
  -- most PRUNE_MAX a call (a claim), O(log n) each; a shard acks at most that many a claim.
  -- With `look` (the claim's consumers prune is due: every PRUNE_EVERY_MS, so a busy shard
  -- pays one call more only then), returns true when no flow is left on the shard (nothing
  -- blocked, waited for, or with children known): its flag is the caller's to remove
  -- (claim.lua), so its claims go back to the fast one. The finished ids of the window then
  -- expire with the key, and a push with parents turns flows on again (enable) and keeps them.
  local PRUNE_MAX = 1000
  function F.prune(look)
    local window = tonumber(redis.call('HGET', K_STATS, 'flow_window') or '') or 3600000
    local gone = redis.call('ZRANGEBYSCORE', K_FINISHED_AT, '-inf',
      string.format('(%d', tonumber(now_s()) - window), 'LIMIT', 0, PRUNE_MAX)
    if #gone > 0 then
      local fields = {}
      for i, id in ipairs(gone) do
        fields[i] = id .. '\t+'
      end
      call_list('HDEL', K_KIDS, fields)
      call_list('ZREM', K_FINISHED_AT, gone)
    end
    if not look or redis.call('EXISTS', K_BLOCKED, K_WAITS, K_KIDS) > 0 then
      return false
    end
    redis.call('PEXPIRE', K_FINISHED_AT, string.format('%d', window))
    FLOWS_ON = false
    return true
  end

  return F
end
