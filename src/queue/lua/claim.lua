-- claim: ack finished tasks, recover expired leases and due retries, then lease up to N tasks
-- KEYS: the common layout (common.lua); its first CORE_KEYS (keys.rs) without controls.lua
-- ARGV[1] lease ms  ARGV[2] max tasks to claim  ARGV[3] the claim's lease (16 hex digits, the
-- start of each token)  ARGV[4] consumer name  ARGV[5] max attempts  ARGV[6] dead-set cap
-- ARGV[7] '1' when an ack's claim was marked delivered (claim_fast.lua deletes the marks
-- then; ack_all always does)
-- ARGV[8] "" or the tasks this consumer finished in earlier calls that its entry in the
-- consumers hash does not count yet: the entry is written at most about once a second (issue
-- 15), by the call that gives this
-- ARGV[9..] pairs of (id, token) to acknowledge first
-- returns {now, next retry ms, next lease expiry ms, next due ms, fast until ms, n acked, ack
-- code..., id, record, token, ...} (token: the member after "id\t", common.lua; the three times only when nothing was claimed, 0 when there
-- is none; the next due time is the first scheduled task's; body false when missing; until
-- "fast until" claim_fast.lua may claim instead, 0: not now); with flows.lua, then 1 while the
-- shard still has flows (2: and lines in its outbox; else 0); with controls.lua (the
-- claim of a queue with controls), then held code, held until ms, controls flag (what kept
-- waiting tasks from being claimed, HELD_* in common.lua, and when one may go, 0 for not before
-- a resume or a freed slot; 1 while the shard still has controls)
local lease, want, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local consumer, max_att, dead_cap = ARGV[4], ARGV[5], tonumber(ARGV[6])
local now = now_ms()
local out = { now, 0, 0, 0, 0 }
-- Numbers handed to redis.call are printed with %.14g (a costly float conversion each time):
-- the times are formatted once, as integers, and counts are passed as strings.
local now_s = string.format('%d', now)
local pruned_at, recover_at, aging, ctl_flag, flags, moved = checks_read()
if moved then
  return redis.error_reply(ERR_LAYOUT .. ' ' .. moved)
end
-- controls (issue 13): a queue without controls is claimed by this script alone, with the keys
-- of the first CORE_KEYS rows of the layout (keys.rs); once it has some, the claim needs
-- controls.lua and every key, and says so before it changes anything, for the caller to send
-- it again that way.
if ctl_flag == 1 and not ctl then
  return redis.error_reply(ERR_CONTROLS .. ' the queue has controls: claim with every key')
end
if ctl then
  ctl().known(ctl_flag)
end
-- events (issue 26): so do a queue whose events are on and a claim without its stream.
local events_on = flags ~= '' and string.find(flags, 'e', 1, true) ~= nil
if events_on and not ev then
  return redis.error_reply(ERR_EVENTS .. ' the queue writes events: claim with its stream')
end
if ev then
  ev.on = events_on
end
-- groups (issue 23): likewise, a shard with groups is claimed by the script with groups.lua.
local grouped = string.find(flags, 'g', 1, true) ~= nil
if grouped and not grp then
  return redis.error_reply(ERR_GROUPS .. ' the shard has groups: claim with their keys')
end
if grouped then
  grp().on = true
end
-- flows (issue 24): likewise, a shard with flows is claimed with flows.lua and every key; once
-- no flow is left (flows.lua: prune) its flag goes, and this claim's acks release nothing.
local carries_flows, flows_off = flows ~= nil, false
if flags == '' or not string.find(flags, 'f', 1, true) then
  flows = nil
elseif not flows then
  return redis.error_reply(ERR_FLOWS .. ' the queue has flows: claim with every key')
else
  flows(flags).dead_cap = dead_cap
  if flows().prune(now - pruned_at >= PRUNE_EVERY_MS) then
    flags, flows, flows_off = string.gsub(flags, 'f', ''), nil, true
  end
end
-- The checks field is written back only when one of the two times moved.
local checks_moved = flows_off

local codes, n_done = ack_all(9)
out[#out + 1] = #codes
for _, code in ipairs(codes) do
  out[#out + 1] = code
end
-- groups (issue 23): children a script without groups.lua released join their groups' lines
-- before this claim chooses (flows.lua).
if grouped and flows then
  flows().index_released()
end

-- Recovery runs here, bounded per call, so no operator and no scan of the whole in-flight set
-- is needed: a lease that expired goes back to its old place in line, or to the dead set. It is
-- skipped while no lease or retry can be due yet ('checks', common.lua): most claims skip it.
local back, n_delivered = 0, 0
local due_work = recover_at <= now
if due_work then
  local expired = redis.call('ZRANGEBYSCORE', K_INFLIGHT, '-inf', now_s, 'LIMIT', '0', '16')
  -- cancel (issue 13): a task cancelled in flight whose holder died does not come back.
  expired = drop_cancelled(expired)
  -- issue 19: a task whose line was written before its ack, by a consumer that died since.
  expired, n_delivered = finish_delivered(expired, now_s)
  for _, member in ipairs(expired) do
    local id, token, _, n, m, score = member_parts(member)
    if ev then
      ev.of_claim('lost', id, member)
    end
    unlease(id or member, member)
    -- Its holder's ack, fail or extend is told the lease was taken from it (ack_not_held).
    if token then
      redis.call('HSET', K_TAKEN, member, now_s)
    end
    if not id then
      -- Not a member of this layout: nothing to put back.
      n = nil
    elseif n == nil then
      if ev then
        ev.write('dead', id, nil, nil, nil, 'lease expired and its state was lost')
      end
      bury(id, now, 'lease expired and its state was lost', 0, dead_cap)
    elseif m ~= nil and n >= m then
      local why = 'lease expired on attempt ' .. n .. ' of ' .. m
      if ev then
        ev.write('dead', id, nil, n, nil, why)
      end
      bury(id, now, why, n, dead_cap, score)
    else
      set_state(id, n, score)
      redis.call('ZADD', K_PENDING, score, id)
      if grouped then
        grp().index_id(id, score)
      end
      redis.call('HINCRBY', K_STATS, 'recovered', 1)
      back = back + 1
    end
  end
  local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now_s, 'LIMIT', '0', '16')
  for _, id in ipairs(due) do
    local _, score = get_state(id)
    redis.call('ZREM', K_DELAYED, id)
    if score then
      redis.call('ZADD', K_PENDING, score, id)
      if grouped then
        grp().index_id(id, score)
      end
      back = back + 1
    else
      if ev then
        ev.write('dead', id, nil, nil, nil, 'retry state was lost')
      end
      bury(id, now, 'retry state was lost', 0, dead_cap)
    end
  end
end

-- Promotion: scheduled tasks that fell due join the waiting line (promote, common.lua), enough
-- of them that a burst falling due at once is drained at the rate of claims, and at most 1,000.
if due_work then
  back = back + promote(now_s, string.format('%d', math.min(1000, 2 * want + 32)))
end

-- Expiry: tasks pushed with a ttl and not claimed by their deadline go to the dead set, a
-- bounded number a call, found by deadline like expired leases (no scan).
if due_work then
  local gone = redis.call('ZRANGEBYSCORE', K_EXPIRES, '-inf', now_s, 'LIMIT', '0', '64', 'WITHSCORES')
  for i = 1, #gone, 2 do
    local id = gone[i]
    redis.call('ZREM', K_EXPIRES, id)
    if expire(id, gone[i + 1]) then
      if ev then
        ev.write('expired', id)
      end
      bury(id, now, 'expired', 0, dead_cap)
    end
  end
end

if due_work then
  -- Exact again: the next deadline, retry, due time or expiry left (more than a call's worth
  -- due: now, so the next claim goes on).
  local next_at = NEVER
  for _, k in ipairs({ K_INFLIGHT, K_DELAYED, K_SCHEDULED, K_EXPIRES }) do
    local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if #first > 0 then
      next_at = math.min(next_at, tonumber(first[2]))
    end
  end
  recover_at, checks_moved = next_at, true
end

-- Selection with aging (`rpq aging`, off unless set): the first waiting task of each priority
-- competes as if one priority higher for every `aging` ms it has waited, ties going to the
-- earlier arrival. Within a priority the first is the one that waited longest, so the three
-- heads are the only candidates: a bounded number of O(log n) reads per task claimed (one
-- ranged read and one body for the priority taken from, three and two for the first).
local take_aged
if aging > 0 then
  local heads = {}
  local function aged_head(p)
    local h = redis.call('ZRANGEBYSCORE', K_PENDING, pending_score(p, 0),
      '(' .. pending_score(p + 1, 0), 'LIMIT', '0', '1', 'WITHSCORES')
    if #h == 0 then
      return false
    end
    local e = { id = h[1], score = h[2], rank = p, seq = tonumber(string.sub(h[2], 2)) }
    if p > 1 then
      e.body = redis.call('HGET', K_TASKS, h[1])
      local since = waiting_since(e.body)
      if since then
        e.rank = math.max(1, p - math.floor((now - since) / aging))
      end
    end
    return e
  end
  take_aged = function()
    local best
    for p = 1, 3 do
      if heads[p] == nil then
        heads[p] = aged_head(p)
      end
      local e = heads[p]
      if e and (not best or e.rank < best.rank or (e.rank == best.rank and e.seq < best.seq)) then
        best = e
      end
    end
    if not best then
      return nil
    end
    heads[tonumber(string.sub(best.score, 1, 1))] = nil
    redis.call('ZREM', K_PENDING, best.id)
    return best.id, best.score, best.body
  end
end

-- Selection under controls (issue 13): pauses, rate limits and in-flight caps (selector,
-- controls.lua), only in the claim script of a queue that has some.
local take_controlled, finish_controlled
-- groups (issue 23): controls that are only limits and pauses of groups go in the groups'
-- turns (lua/groups.lua); with pauses or limits of priorities, types or the queue (or tasks
-- still in their lines), the selector, which holds the limits of groups too (gated).
local group_limits, gated = false, false
if grouped and ctl_flag == 1 then
  local cv = ctl().controls()
  group_limits = next(cv.paused) == nil and not cv.limits[0] and cv.types == 0
    and redis.call('EXISTS', ctl().K_LIMITED) == 0
  gated = not group_limits and cv.groups
  if group_limits or gated then
    grp().begin(now)
  end
end
if ctl_flag == 1 and not group_limits then
  local expired
  take_controlled, finish_controlled, expired = ctl().selector(now, aging, gated)
  if expired then
    ctl_flag, checks_moved = ctl().flag(), true
  end
end

-- Selection: the first task of the waiting set (priority, then arrival), or with aging the best
-- of the heads of each priority (take_aged), or under controls take_controlled.
local claimed = 0
local deadline = string.format('%d', now + lease)
-- The token of each task: the lease, when, its attempt, its max attempts, its place, who.
local lease_at = token .. '|' .. now_s .. '|'
while claimed < want do
  local id, score, body
  if group_limits then
    local more
    id, score, more = grp().take()
    if not id and not more then
      id, score = grp().fallback()
    end
    if not id then
      if more then
        wake(1)
      end
      break
    end
  elseif take_controlled then
    id, score, body = take_controlled()
    if not id then
      break
    end
    if grouped then
      grp().unindex(id, score, body)
    end
  elseif aging > 0 then
    id, score, body = take_aged()
    if not id then
      break
    end
    if grouped then
      grp().unindex(id, score, body)
    end
  else
    -- groups (issue 23): groups in turn; what waits unindexed (came back by a way that does
    -- not index) goes as before once no group has work.
    if grouped then
      id, score = grp().take()
    end
    if not id then
      local head = redis.call('ZPOPMIN', K_PENDING)
      if #head == 0 then
        break
      end
      id, score = head[1], head[2]
    end
  end
  -- Attempts and place in line ride in the member while in flight (common.lua's layout); a
  -- task taken back has its attempts in its record's head, which stays there (nothing copied).
  body = body or redis.call('HGET', K_TASKS, id)
  local n, n_s = 1, '1'
  local before = body and select(2, record_parts(body))
  if before then
    n = before + 1
    n_s = string.format('%d', n)
  end
  -- The worker runtime (issue 11): a task pushed with its own max attempts carries it at the
  -- head of its body, before "t" (task_max_attempts); that number goes into its member instead
  -- of the consumer's, for fail and lease recovery to read.
  local m = body and task_max_attempts(body, body_at(body)) or max_att
  local tk = lease_at .. n_s .. '|' .. m .. '|' .. score .. '|' .. consumer
  redis.call('ZADD', K_INFLIGHT, deadline, id .. '\t' .. tk)
  out[#out + 1] = id
  out[#out + 1] = body
  out[#out + 1] = tk
  if ev then
    ev.write('claimed', id, body or false, n, consumer)
  end
  claimed = claimed + 1
end

local held_code, held_at = HELD_NONE, 0
if group_limits or gated then
  local gone
  gone, held_code, held_at = grp().close(claimed, gated and 0 or want)
  if gone then
    ctl_flag, checks_moved = ctl().flag(), true
  end
end
-- What came back beyond what this claim took is for idle consumers, who wait on the wake list.
if back > claimed then
  wake(back - claimed)
end
if claimed > 0 and now + lease < recover_at then
  recover_at, checks_moved = now + lease, true
end
if ARGV[8] ~= '' then
  seen(consumer, now_s, n_done + tonumber(ARGV[8]))
end
if grouped then
  grp().finish()
  if grp().idle() then
    grp().stop()
    flags, grouped, checks_moved = string.gsub(flags, 'g', ''), false, true
  end
end
local field, value = count(now_s, n_done + n_delivered, 0)
local pruned = prune_consumers(pruned_at, now)
local moved = checks_moved or pruned ~= pruned_at
stats_write(field, value, pruned, moved and recover_at or nil, aging, ctl_flag, flags)
-- The next claims may go as claim_fast.lua until a lease, retry, due time or expiry may be due
-- or the consumers are due a prune, while aging is off and the queue has no controls.
if aging == 0 and ctl_flag == 0 then
  out[5] = math.min(recover_at, pruned + PRUNE_EVERY_MS)
end
if claimed == 0 then
  idle(out, want)
end
-- flows (issue 24): whether the shard still has flows, from a claim that carries flows.lua, so
-- its caller goes back to the fast claim once they are gone (before the tail of controls).
-- 2: and its outbox has lines for another queue, for the caller to move (flows.lua).
if carries_flows then
  out[#out + 1] = flows and (flows().outbox_left() and 2 or 1) or 0
end
-- controls (issue 13): the buckets and counts this call changed, what held tasks back, and
-- whether the queue still has controls, at the end of the reply of the claim that carries them.
if ctl then
  local code, at = held_code, held_at
  if finish_controlled then
    code, at = finish_controlled(claimed, want)
  end
  out[#out + 1] = code
  out[#out + 1] = at
  out[#out + 1] = ctl_flag
end
return out
