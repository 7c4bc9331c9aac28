-- push: queue tasks ordered by priority, then by arrival on this server
-- KEYS: the first CORE_KEYS (keys.rs) of the common layout (common.lua): a push meets no control
-- ARGV[1] n  ARGV[2] fields per task: 3, or 5 for tasks with a time
-- then n tuples: id, priority (1..3), body: the stored JSON object after its created time,
-- without the opening brace (`"t":..,"p":..,"d":..}`, see NewTask::body); with 5 fields also
-- due: "" (now), "+MS" (MS after now by this server's clock) or "MS" (at that time, ms since
-- the epoch), and ttl ms ("0": none)
-- The worker runtime (issue 11): KEYS[CORE_KEYS + 1..] are the result keys (keys::result) of the tasks
-- whose id is the producer's own, then (when there are any) the kept zset (keys::kept), and the
-- ARGV after the tuples hold the number (1..n) of the task of each: a task whose result is kept
-- is done, and its id stays known until the result's time is past (common.lua: kept_over), when
-- it goes.
-- returns {created ms, flag for each task: 1 queued, 0 the id is already known, 2 done (its
-- result is kept); then the finished ms of each task flagged 2, in order; last, 1 when this
-- push began the queue's count of pushes (a queue just created, or removed and pushed to again
-- by a producer that was running: it stores the queue's settings again), else 0}
local n, fields = tonumber(ARGV[1]), tonumber(ARGV[2])
-- groups (issue 23): a shard with groups is pushed to by the script that carries groups.lua,
-- whose keys come before the result keys; this one refuses before it changes anything.
local _, recover_at, _, _, flags, moved = checks_read()
if moved then
  return redis.error_reply(ERR_LAYOUT .. ' ' .. moved)
end
-- flow_submit.lua checks every part of a flow before it writes any (its ARGV.check).
if ARGV.check then
  return false
end
local first_key = CORE_KEYS
if grp then
  first_key = GROUP_KEYS_END
  grp().start_push(n, fields, flags)
elseif string.find(flags, 'g', 1, true) then
  return redis.error_reply(ERR_GROUPS .. ' the shard has groups: push with their keys')
end
local now = now_ms()
-- events (issue 26): a queue whose events are on is pushed to with its stream (events.lua).
local events_on = flags ~= '' and string.find(flags, 'e', 1, true) ~= nil
if events_on and not ev then
  return redis.error_reply(ERR_EVENTS .. ' the queue writes events: push with its stream')
end
if ev then
  ev.on = events_on
end
-- done[i]: the finished ms of task i, when it is done and its result kept; stale[i]: the key of
-- the error kept for an earlier task of its id that died, which goes when this one is queued
-- (a waiter for this one must not read that one's end).
local done, stale = {}, {}
local kept = N_KEYS > first_key and KEYS[N_KEYS]
for j = first_key + 1, N_KEYS - 1 do
  local i = tonumber(ARGV[2 + n * fields + j - first_key])
  local rec = redis.call('LINDEX', KEYS[j], 0)
  local at = rec and string.match(rec, '^d|(%d+)|')
  -- kept_over, inline: a helper named here would be made on every push (script.rs: prelude).
  local over = rec and redis.call('ZSCORE', kept, ARGV[3 + (i - 1) * fields])
  if over and tonumber(over) <= now then
    -- Past its time: the id is free again, and the result goes now.
    redis.call('DEL', KEYS[j])
    redis.call('ZREM', kept, ARGV[3 + (i - 1) * fields])
  elseif at then
    done[i] = at
  elseif rec then
    stale[i] = KEYS[j]
  end
end
local finished = {}
-- Tasks that fell due before this push join the line before it numbers its own (promote).
if recover_at <= now then
  promote(string.format('%d', now), '1000')
end
local out = { now }
if fields == 5 then
  -- Tasks with a due time or a ttl: one at a time (enqueue).
  local queued, at_once, look_at, woke = 0, 0, nil, false
  local first = redis.call('ZRANGE', K_SCHEDULED, 0, 0, 'WITHSCORES')
  local soonest = #first > 0 and tonumber(first[2]) or NEVER
  for i = 1, n do
    local j = 5 * i - 2
    local due = ARGV[j + 3]
    -- debounce (debounce.lua): '~' or '^' before the ms.
    local debounce = string.match(due, '^[~^]')
    if debounce then
      due = '+' .. string.sub(due, 2)
    end
    if due == '' then
      due = nil
    elseif string.sub(due, 1, 1) == '+' then
      due = now + tonumber(string.sub(due, 2))
    else
      due = tonumber(due)
    end
    local flag, at = PUSH_KNOWN, nil
    local again = nil
    if debounce and not done[i] then
      again, at = debounced(ARGV[j], ARGV[j + 2], due, debounce == '^')
    end
    if again then
      -- Pushed again: no new task (not counted), one moved later.
      out[i + 1] = again
      if again == PUSH_QUEUED and due < soonest then
        woke, soonest = true, due
      end
    elseif done[i] then
      finished[#finished + 1] = done[i]
    else
      local score
      flag, at, score = enqueue(ARGV[j], ARGV[j + 1], ARGV[j + 2], now, due, tonumber(ARGV[j + 4]))
      -- Waiting at once: its group from the body as pushed, no score or body read back.
      if score and grp and grp().on then
        grp().index(ARGV[j], score, ARGV[j + 2])
      end
      if flag == PUSH_QUEUED and stale[i] then
        redis.call('DEL', stale[i])
        redis.call('ZREM', kept, ARGV[j])
      end
      if flag == PUSH_QUEUED and ev then
        ev.write(due and due > now and 'scheduled' or 'pushed', ARGV[j], '{"c":0,' .. ARGV[j + 2])
      end
    end
    out[i + 1] = out[i + 1] or (done[i] and PUSH_DONE or flag)
    queued = queued + flag -- PUSH_QUEUED is 1, PUSH_KNOWN 0
    if at then
      look_at = math.min(look_at or at, at)
    end
    if flag == PUSH_QUEUED and due and due > now then
      if due < soonest then
        woke, soonest = true, due
      end
    else
      at_once = at_once + flag
    end
  end
  if look_at then
    recover_by(look_at)
  end
  local fresh = 0
  if queued > 0 then
    fresh = redis.call('HINCRBY', K_STATS, 'pushed', queued) == queued and 1 or 0
    if fresh == 1 then
      redis.call('HSETNX', K_STATS, 'layout', LAYOUT_NOTE)
    end
    -- A task due sooner than any before it wakes idle consumers, which sleep until the first
    -- due time they were told of; tasks queued at once wake them as usual.
    if at_once > 0 or woke then
      wake(math.max(at_once, 1))
    end
  end
  for _, f in ipairs(finished) do
    out[#out + 1] = tonumber(f)
  end
  out[#out + 1] = fresh
  return out
end
local last = redis.call('HINCRBY', K_STATS, 'seq', n)
-- The created time is the same for the whole batch: one prefix, one concatenation per task.
local prefix = '{"c":' .. string.format('%d', now) .. ','
local first = last - n
-- Which ids are known, all in one HMGET (a chunk of 1,000 keeps unpack within Lua's stack),
-- and the new records in one HSET below: two calls a batch where an HSETNX a task cost about
-- 3,000 server instructions of its own.
local ids = {}
for i = 1, n do
  ids[i] = ARGV[3 * i]
end
local known
if n <= 1000 then
  known = redis.call('HMGET', K_TASKS, unpack(ids))
else
  known = {}
  for k = 1, n, 1000 do
    local got = redis.call('HMGET', K_TASKS, unpack(ids, k, math.min(k + 999, n)))
    for i = 1, #got do
      known[k + i - 1] = got[i]
    end
  end
end
-- A score is the priority, then the 15 digits of the task's arrival: the first 13 printed
-- once a hundred tasks, the last 2 from this table (pending_score's string.format for every
-- task cost about 2,000 server instructions a task).
local D2 = { [0] = '00', '01', '02', '03', '04', '05', '06', '07', '08', '09',
  '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24',
  '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38', '39',
  '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51', '52', '53', '54',
  '55', '56', '57', '58', '59', '60', '61', '62', '63', '64', '65', '66', '67', '68', '69',
  '70', '71', '72', '73', '74', '75', '76', '77', '78', '79', '80', '81', '82', '83', '84',
  '85', '86', '87', '88', '89', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99' }
local hundred, hi = -1, nil
-- Each new task's place in line, which begins its record (layout 3's work list, step 3).
local scores = {}
local hargs = {}
for i = 1, n do
  if done[i] then
    out[i + 1] = PUSH_DONE
    finished[#finished + 1] = done[i]
  elseif known[i] then
    out[i + 1] = PUSH_KNOWN
  else
    local seq = first + i
    local lo = seq % 100
    if seq - lo ~= hundred then
      hundred = seq - lo
      hi = string.sub(string.format('%015d', hundred), 1, 13)
    end
    local score = ARGV[3 * i + 1] .. hi .. D2[lo]
    scores[i] = score
    hargs[#hargs + 1] = ids[i]
    hargs[#hargs + 1] = score .. prefix .. ARGV[3 * i + 2]
  end
end
local added = 0
for k = 1, #hargs, 1000 do
  added = added + redis.call('HSET', K_TASKS, unpack(hargs, k, math.min(k + 999, #hargs)))
end
-- An id given twice in the batch (rare) made fewer fields than HSET was given, and its last
-- record won: the first of each is stored again and the later ones are known, so that the
-- first wins as with HSETNX. A batch without one builds no table of its ids for it.
if added < #hargs / 2 then
  local seen, again = {}, {}
  for i = 1, n do
    if not out[i + 1] then
      local id = ids[i]
      if seen[id] then
        out[i + 1] = PUSH_KNOWN
      else
        seen[id] = true
        again[#again + 1] = id
        again[#again + 1] = scores[i] .. prefix .. ARGV[3 * i + 2]
      end
    end
  end
  for k = 1, #again, 1000 do
    redis.call('HSET', K_TASKS, unpack(again, k, math.min(k + 999, #again)))
  end
end
local hundred, hi = -1, nil
local zargs = {}
for i = 1, n do
  if not out[i + 1] then
    local j = 3 * i
    local id = ids[i]
    local score = scores[i]
    zargs[#zargs + 1] = score
    zargs[#zargs + 1] = id
    out[i + 1] = PUSH_QUEUED
    if ev then
      ev.write('pushed', id, prefix .. ARGV[j + 2])
    end
    if stale[i] then
      redis.call('DEL', stale[i])
      redis.call('ZREM', kept, id)
    end
  end
end
-- One ZADD per chunk of tasks rather than one per task; chunks keep unpack within Lua's stack.
local queued = #zargs / 2
for k = 1, #zargs, 1000 do
  redis.call('ZADD', K_PENDING, unpack(zargs, k, math.min(k + 999, #zargs)))
end
-- groups (issue 23): the tasks queued (zargs, and out's flags) indexed as one batch; zargs is
-- spent (its places hold the entries then).
if queued > 0 and grp and grp().on then
  grp().index_many(zargs, out, n, ARGV)
end
local fresh = 0
if queued > 0 then
  fresh = redis.call('HINCRBY', K_STATS, 'pushed', queued) == queued and 1 or 0
  if fresh == 1 then
    redis.call('HSETNX', K_STATS, 'layout', LAYOUT_NOTE)
  end
  wake(queued)
end
for _, f in ipairs(finished) do
  out[#out + 1] = tonumber(f)
end
out[#out + 1] = fresh
return out
