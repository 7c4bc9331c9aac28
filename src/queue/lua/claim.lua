-- claim: ack finished tasks, recover expired leases and due retries, then lease up to N tasks
-- KEYS: the common layout (common.lua)
-- ARGV[1] lease ms  ARGV[2] max tasks to claim  ARGV[3] claim token  ARGV[4] consumer name
-- ARGV[5] max attempts  ARGV[6] dead-set cap  ARGV[7..] pairs of (id, token) to acknowledge first
-- returns {now, next retry ms, next lease expiry ms, next due ms, held code, held until ms,
-- controls flag, n acked, ack code..., id, body, attempt, ...} (the times only when nothing was
-- claimed, 0 when there is none; the next due time is the first scheduled task's; held: what
-- kept waiting tasks from being claimed, HELD_* (common.lua), and when one may go, 0 for not
-- before a resume or a freed slot; the flag: 1 while the shard has controls; body false when
-- missing)
local lease, want, token = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local consumer, max_att, dead_cap = ARGV[4], ARGV[5], tonumber(ARGV[6])
local now = now_ms()
local out = { now, 0, 0, 0, HELD_NONE, 0, 0 }
-- Numbers handed to redis.call are printed with %.14g (a costly float conversion each time):
-- the times are formatted once, as integers, and counts are passed as strings.
local now_s = string.format('%d', now)
local pruned_at, recover_at, aging = checks_read()
-- The checks field is written back only when one of the two times moved.
local checks_moved = false

local n_ack = (#ARGV - 6) / 2
local n_done = 0
out[#out + 1] = n_ack
for i = 0, n_ack - 1 do
  local flag, fresh = ack(ARGV[7 + 2 * i], ARGV[8 + 2 * i])
  out[#out + 1] = flag
  n_done = n_done + fresh
end

-- Recovery runs here, bounded per call, so no operator and no scan of the whole in-flight set
-- is needed: a lease that expired goes back to its old place in line, or to the dead set. It is
-- skipped while no lease or retry can be due yet ('checks', common.lua): most claims skip it.
local back = 0
local due_work = recover_at <= now
if due_work then
  local expired = redis.call('ZRANGEBYSCORE', K_INFLIGHT, '-inf', now_s, 'LIMIT', '0', '16')
  -- cancel (issue 13): a task cancelled in flight whose holder died does not come back.
  expired = drop_cancelled(expired)
  for _, id in ipairs(expired) do
    local _, _, m, n, score = get_claim(id)
    if n == nil then
      n, score = get_state(id)
    end
    unlease(id)
    if n == nil then
      bury(id, now, 'lease expired and its state was lost', 0, dead_cap)
    elseif m ~= nil and n >= m then
      set_state(id, n, score)
      bury(id, now, 'lease expired on attempt ' .. n .. ' of ' .. m, n, dead_cap)
    else
      set_state(id, n, score)
      redis.call('ZADD', K_PENDING, score, id)
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
      back = back + 1
    else
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

-- Selection under controls (issue 13): pauses, rate limits and in-flight caps, on the server's
-- clock. Candidates are the head of pending and the heads of the lines of limited types that
-- may let a task go (LIMITED, common.lua), per priority that is not paused (or per priority
-- for aging); the best of them by priority and arrival (or aged rank) is taken, so order holds
-- across types. A head of pending whose type is limited and may not go now moves to its type's
-- line, keeping its score (its place in line), at most MAX_MOVES a call: that is what lets a
-- later task of another type pass it, and each task moves once. A call reads at most (1 + 8)
-- lines x 3 priorities heads for its first task and one more head per task after that, besides
-- the moves. `held` says what kept waiting tasks back, for the consumer to sleep until then.
local MAX_MOVES = 128
local take_controlled
local held_code, held_at = HELD_NONE, NEVER
local function held(code, at)
  if held_code == HELD_NONE or (at or NEVER) < held_at then
    held_code, held_at = code, at or NEVER
  end
end
local ctl = controls()
local paused = {}
if CTL_FLAG == 1 then
  local open, expired = {}, false
  for p = 1, 3 do
    local u = ctl.paused[p]
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
    controls_flag()
    checks_moved = true
  end
  local by_priority = aging > 0 or #open < 3
  local looks = by_priority and open or { false }
  local all = ctl.limits[0]
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
          e.line = type_line(e.body)
        end
        heads[K_PENDING][key] = e
      end
      if not e or not e.line or allowed(ctl.limits[e.line], now) > 0 then
        return e
      end
      if moves >= MAX_MOVES then
        held(HELD_RATE, now)
        return nil
      end
      redis.call('ZREM', K_PENDING, e.id)
      redis.call('ZADD', LIMITED[e.line], e.score, e.id)
      if not ctl.sets[e.line] then
        ctl.sets[e.line] = ctl.limits[e.line].enc
      end
      moves = moves + 1
      heads[K_PENDING][key] = nil
    end
  end
  take_controlled = function()
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
      local l = ctl.limits[s]
      -- A line whose limit was removed (rpq limit --off drains it) holds nothing back.
      if ctl.sets[s] and (not l or allowed(l, now) > 0) then
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
      local l = ctl.limits[s]
      if l then
        if l.T then
          l.tat = math.max(l.tat, now) + l.T
        end
        if l.m then
          l.busy = l.busy + 1
          held_by[#held_by + 1] = s .. ':' .. l.g
        end
        ctl.dirty[s] = true
      end
    end
    if #held_by > 0 then
      redis.call('HSET', K_HELD, best.id, table.concat(held_by, ','))
    end
    return best.id, best.score, best.body
  end
end

-- Selection: the first task of the waiting set (priority, then arrival), or with aging the best
-- of the heads of each priority (take_aged), or under controls take_controlled.
local claimed = 0
local deadline = string.format('%d', now + lease)
local claim = token .. '|' .. now_s .. '|' .. max_att .. '|'
local first_claim = claim .. '1|'
while claimed < want do
  local id, score, body
  if take_controlled then
    id, score, body = take_controlled()
    if not id then
      break
    end
  elseif aging > 0 then
    id, score, body = take_aged()
    if not id then
      break
    end
  else
    local head = redis.call('ZPOPMIN', K_PENDING)
    if #head == 0 then
      break
    end
    id, score = head[1], head[2]
  end
  -- Attempts and place in line ride in the claim while in flight (common.lua's layout).
  local n, c = 1, first_claim
  local prev = redis.call('HGET', K_STATE, id)
  if prev then
    n = (tonumber(string.match(prev, '^(%d+)|')) or 0) + 1
    c = claim .. string.format('%d|', n)
    redis.call('HDEL', K_STATE, id)
  end
  redis.call('ZADD', K_INFLIGHT, deadline, id)
  redis.call('HSET', K_CLAIMS, id, c .. score .. '|' .. consumer)
  out[#out + 1] = id
  out[#out + 1] = body or redis.call('HGET', K_TASKS, id)
  out[#out + 1] = n
  claimed = claimed + 1
end

-- What came back beyond what this claim took is for idle consumers, who wait on the wake list.
if back > claimed then
  wake(back - claimed)
end
if claimed > 0 and now + lease < recover_at then
  recover_at, checks_moved = now + lease, true
end
-- controls (issue 13): the buckets and counts this call changed, and what held tasks back.
if CTL_FLAG == 1 then
  for sl in pairs(ctl.dirty) do
    local l = ctl.limits[sl]
    redis.call('HSET', K_CONTROLS, 'tat:' .. sl, string.format('%.3f', l.tat),
      'busy:' .. sl, string.format('%d', l.busy))
  end
  if claimed == 0 and want > 0 and any_waiting() then
    for p in pairs(paused) do
      held(HELD_PAUSED, paused[p] < NEVER and paused[p] or nil)
    end
    for sl = 0, #LIMITED do
      local l = ctl.limits[sl]
      if l and allowed(l, now) == 0 and (sl == 0 or redis.call('EXISTS', LIMITED[sl]) == 1) then
        local at = next_token(l, now)
        held(at and HELD_RATE or HELD_IN_FLIGHT, at)
      end
    end
    out[5], out[6] = held_code, held_at < NEVER and held_at or 0
  end
end
out[7] = CTL_FLAG
seen(consumer, now, n_done)
local field, value = count(now, n_done, 0)
local pruned = prune_consumers(pruned_at, now)
stats_write(field, value, pruned, (checks_moved or pruned ~= pruned_at) and recover_at or nil, aging)
if claimed == 0 then
  -- Nothing can be claimed, so every marker is stale; dropping them keeps idle consumers
  -- blocked. (A call that asked for no task, only acks and recovery, may leave tasks waiting.)
  if want > 0 or redis.call('ZCARD', K_PENDING) == 0 then
    redis.call('DEL', K_WAKE)
  end
  -- Tell the caller when recovery may have work, so it can block until then instead of polling.
  local d = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
  if #d > 0 then
    out[2] = tonumber(d[2])
  end
  local f = redis.call('ZRANGE', K_INFLIGHT, 0, 0, 'WITHSCORES')
  if #f > 0 then
    out[3] = tonumber(f[2])
  end
  -- And when the first scheduled task falls due, so it can sleep until then.
  local s = redis.call('ZRANGE', K_SCHEDULED, 0, 0, 'WITHSCORES')
  if #s > 0 then
    out[4] = tonumber(s[2])
  end
end
return out
