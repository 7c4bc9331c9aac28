-- move: a new priority for waiting, scheduled and retrying tasks, each keeping its place in
-- arrival order within it; and/or make scheduled and retrying tasks due now (they wait in line
-- at once)
-- KEYS: the common layout (common.lua)
-- ARGV[1] the new priority 1..3 ('' keeps it)  ARGV[2] "1" to make scheduled and retrying
-- tasks due now
-- ARGV[3..] ids
-- returns {tasks that went in line now, then per id: a code, the holder's name, and for a moved
-- task where it is now (the KEYS index of its set), its score and record, as inspect.lua
-- answers them (false where there is none)}; the codes: MOVE_MOVED, MOVE_IN_FLIGHT
-- (with the holder), MOVE_DEAD, MOVE_UNREADABLE (a body that names no priority), MOVE_UNKNOWN
-- (common.lua)
local p = tonumber(ARGV[1])
local now = ARGV[2] == '1'
-- groups (issue 23): a task made due now goes into its group's line, so a shard with groups is
-- moved by the script that carries groups.lua; this one refuses before it changes anything.
if now then
  local grouped = string.find(select(5, checks_read()), 'g', 1, true) ~= nil
  if grouped and not grp then
    return redis.error_reply(ERR_GROUPS .. ' the shard has groups: move with their keys')
  end
  if grp then
    grp().on = grouped
  end
end
local out = { 0 }
local woke = 0

-- The same place in arrival order, at priority `p`.
local function rescored(score)
  return pending_score(p, tonumber(string.sub(score, 2)))
end

-- Writes priority `p` into the body, and the record's place `score` (nil: the place's first
-- digit, the priority, for a task with no place in line yet); false when the body names none.
local function reprioritize(id, score)
  local body = redis.call('HGET', K_TASKS, id)
  local moved = body and with_priority(body, p)
  if not moved then
    return false
  end
  if string.byte(moved, 1) ~= 123 then
    moved = (score or (p .. string.sub(moved, 2, 16))) .. string.sub(moved, 17)
  end
  redis.call('HSET', K_TASKS, id, moved)
  return true
end

for i = 3, #ARGV do
  local id = ARGV[i]
  local code, holder = MOVE_UNKNOWN, false
  -- controls (issue 13): a waiting task may be held back in a line; with another priority it
  -- goes back to pending, where the next claim meets it at its new place.
  local line, waiting = ctl().waiting_in(id)
  if waiting then
    code = MOVE_MOVED
    if p then
      local score = rescored(waiting)
      if reprioritize(id, score) then
        if line ~= K_PENDING then
          ctl().unhold(id, waiting)
          line = K_PENDING
        end
        redis.call('ZADD', line, score, id)
      else
        code = MOVE_UNREADABLE
      end
    end
  elseif redis.call('ZSCORE', K_DELAYED, id) then
    code = MOVE_MOVED
    local _, score = get_state(id)
    if p then
      score = score and rescored(score)
      if not reprioritize(id, score) then
        code = MOVE_UNREADABLE
      end
    end
    if now and code == MOVE_MOVED then
      if not score then
        -- Its place in line was lost: the back of its priority then.
        local body = redis.call('HGET', K_TASKS, id)
        score = pending_score(due_priority(body), redis.call('HINCRBY', K_STATS, 'seq', 1))
        if body then
          local _, n, err = record_parts(body)
          set_state(id, n or 0, score, err, body)
        end
      end
      redis.call('ZREM', K_DELAYED, id)
      redis.call('ZADD', K_PENDING, score, id)
      if grp then
        grp().index_id(id, score)
      end
      woke = woke + 1
    end
  elseif redis.call('ZSCORE', K_SCHEDULED, id) then
    -- Scheduled: its priority is its body's (it gets its place in line when it falls due).
    code = MOVE_MOVED
    if p and not reprioritize(id) then
      code = MOVE_UNREADABLE
    end
    if now and code == MOVE_MOVED then
      -- Due now: it falls due as promotion would make it, behind every task waiting, and its
      -- body says so (the time it began to wait, for aging and `stats`).
      local body = redis.call('HGET', K_TASKS, id)
      local at = string.format('%d', now_ms())
      local from = body_at(body)
      local score = pending_score(due_priority(body), redis.call('HINCRBY', K_STATS, 'seq', 1))
      -- Its record takes its place in line (a bare body gets one), its head kept.
      redis.call('HSET', K_TASKS, id, (from == 1 and score or (score .. string.sub(body, 17, from - 1)))
        .. (string.gsub(string.sub(body, from), '^({"c":%d+,"u":)%d+', '%1' .. at, 1)))
      redis.call('ZREM', K_SCHEDULED, id)
      redis.call('ZADD', K_PENDING, score, id)
      if grp then
        grp().index_id(id, score)
      end
      woke = woke + 1
    end
  elseif find_member(id) then
    local m = find_member(id)
    if not is_cancelled(m) then
      code = MOVE_IN_FLIGHT
      local _, _, _, _, _, _, consumer = member_parts(m)
      holder = consumer or false
    end
  elseif redis.call('ZSCORE', K_DEAD, id) then
    code = MOVE_DEAD
  end
  local set, score = 0, false
  if code == MOVE_MOVED then
    for k, key in ipairs(KEYS) do
      if key == K_PENDING or key == K_DELAYED or key == K_SCHEDULED then
        if key == K_PENDING then
          score = select(2, ctl().waiting_in(id))
        else
          score = redis.call('ZSCORE', key, id)
        end
        if score then
          set = k
          break
        end
      end
    end
  end
  if ev and code == MOVE_MOVED and (p or now) then
    ev.write('moved', id)
  end
  local now_is = { code, holder, set, score }
  if set > 0 then
    now_is[5] = redis.call('HGET', K_TASKS, id)
  else
    now_is[5] = false
  end
  for _, v in ipairs(now_is) do
    out[#out + 1] = v
  end
end
if woke > 0 then
  wake(woke)
end
out[1] = woke
return out
