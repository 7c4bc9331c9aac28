-- migrate: the prelude of the scripts that move one shard from layout 1 or 2 to this rpq's
-- layout (issue 22, docs/layout-v2.md "Migration"). The names below say V1 for the older
-- layout and V2 for the newer, as when this moved layout 1 to 2: layout 2 keeps layout 1's
-- values (until its records, layout 3's work list), so the same steps move either. Each step is one of these scripts on one shard, given the
-- keys of both layouts (one hash tag), so a task is in exactly one layout at every instant and
-- a step is all or nothing; the layout-1 keys are the cursor: a step moves what it takes out of
-- them, so a rerun after a crash goes on where the last step ended and moves nothing twice.
-- KEYS[1..26] the shard's layout-1 keys, in the order of layout 1's common.lua: pending,
--   inflight, tasks, claims, state, delayed, dead, dead:info, stats, wake, seq, consumers,
--   scheduled, expires, schedules, receipts, controls, held, limited:1 .. limited:8
-- KEYS[27..48] its layout-2 keys (`2:` after the tag), in the order of layout-v2.md's table:
--   pending, inflight, tasks, stats, consumers, taken, wake, delayed, scheduled, expires,
--   dead, schedules, controls, held, limited:1 .. limited:8
-- KEYS[49] state, KEYS[50] dead:info of the newer layout: as its scripts are until the record
--   is in place (below)
-- KEYS[51..54], from layout 2 only: its limited, lines, lheads, lparked (issue 23's limited
--   types); KEYS[1..26] are then layout 2's keys in layout 1's places (`2:seq` never exists:
--   layout 2 keeps it in stats)
-- A layout-1 body is `{"c":..` (common.lua of layout 1); a layout-2 record is the task's place
-- in line (16 digits), then the body for a task never taken back, or `attempts|error
-- length|error` and then the body for one that was (waiting again, retrying, dead).
-- RECORDS (a line Rust puts before this prelude: migrate.rs) says whether this rpq's scripts
-- read records yet; until they do, layout 2 keeps layout 1's values under its key names: the
-- body in `tasks`, "attempts|place[|error]" in `state`, {error, attempts} in `dead:info`, and
-- v1's checks ("pruned at|recover at[|aging ms[|1]]"), so that what migrate writes is what the
-- scripts of the same build read (docs/layout-v2.md, "What is in place"). HEADS (the next line
-- Rust puts there) is its part that this rpq reads since step 3b: the record with its place and
-- head, no `state` nor `dead:info` (layout 4); the checks stay as RECORDS says.
local V1 = {
  pending = KEYS[1], inflight = KEYS[2], tasks = KEYS[3], claims = KEYS[4], state = KEYS[5],
  delayed = KEYS[6], dead = KEYS[7], deadinfo = KEYS[8], stats = KEYS[9], wake = KEYS[10],
  seq = KEYS[11], consumers = KEYS[12], scheduled = KEYS[13], expires = KEYS[14],
  schedules = KEYS[15], receipts = KEYS[16], controls = KEYS[17], held = KEYS[18],
}
local V2 = {
  pending = KEYS[27], inflight = KEYS[28], tasks = KEYS[29], stats = KEYS[30],
  consumers = KEYS[31], taken = KEYS[32], wake = KEYS[33], delayed = KEYS[34],
  scheduled = KEYS[35], expires = KEYS[36], dead = KEYS[37], schedules = KEYS[38],
  controls = KEYS[39], held = KEYS[40], state = KEYS[49], deadinfo = KEYS[50],
}
-- Layout 2's keys of limited types (nil when moving from layout 1).
local V1_LIMITED = KEYS[51]
local LINES = 8
local V1_KEYS = 26
local ZERO13 = '0000000000000'

-- The server's time in ms, as the string of its digits.
local function now_ms()
  local t = redis.call('TIME')
  return t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
end

-- A place in line as 16 digits: a score read back from a sorted set is printed by Redis (the
-- scores of rpq are integers below 2^53, which print exactly).
local function place(score)
  if string.match(score, '^%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d$') then
    return score
  end
  return string.format('%016.0f', tonumber(score))
end

-- The priority of a layout-1 body (its first ,"p":), 2 when it cannot be read, as layout 1's
-- due_priority.
local function priority_of(body)
  return string.match(body, ',"p":([1-3])') or '2'
end

-- The place of a task that has none yet (scheduled, or dead before it ever waited): its
-- priority and arrival 0, as layout 1's expire gave a task that died unclaimed.
local function placeholder(body)
  return priority_of(body) .. '000000000000000'
end

-- attempts, place in line and last error of layout 1's state hash ("attempts|score[|error]")
local function v1_state(id)
  local st = redis.call('HGET', V1.state, id)
  if not st then
    return nil
  end
  local n, score, err = string.match(st, '^(%d+)|(%d+)|?(.*)$')
  return tonumber(n), score, err ~= '' and err or nil
end

-- The layout-2 record: `n` nil for a task never taken back.
local function record(score, n, err, body)
  if n == nil then
    return score .. body
  end
  err = err or ''
  return score .. string.format('%d|%d|', n, #err) .. err .. body
end

-- Takes the task out of layout 1's per-task hashes and expiry set; returns its body (nil when
-- it had none) and its expiry deadline (nil when none).
local function take_v1(id)
  local body = redis.call('HGET', V1.tasks, id)
  local x = redis.call('ZSCORE', V1.expires, id)
  redis.call('HDEL', V1.tasks, id)
  redis.call('HDEL', V1.state, id)
  redis.call('HDEL', V1.deadinfo, id)
  if x then
    redis.call('ZREM', V1.expires, id)
  end
  return body, x
end

-- Stores the task in layout 2 and lines it up in `set` at `at`: its body, place in line,
-- attempts (nil for a task never taken back) and last error or dead reason, as a record, or
-- (HEADS false) as layout 1's values; `x` its expiry deadline. False when layout 2 knows the
-- id already (pushed there by a new producer before this step reached the old task: the id is
-- queued once, as a push of a known id is refused).
local function put_v2(id, set, at, body, x, score, n, err)
  local dead = set == V2.dead
  local value = HEADS and record(score, n, err, body) or body
  if redis.call('HSETNX', V2.tasks, id, value) == 0 then
    return false
  end
  if not HEADS and n ~= nil then
    local st = string.format('%d|', n) .. score
    if err and err ~= '' and not dead then
      st = st .. '|' .. err
    end
    redis.call('HSET', V2.state, id, st)
    if dead then
      redis.call('HSET', V2.deadinfo, id, cjson.encode({ error = err or '', attempts = n }))
    end
  end
  redis.call('ZADD', set, at, id)
  if x then
    redis.call('ZADD', V2.expires, x, id)
  end
  return true
end

-- Claims of layout 2 skip recovery, promotion and expiry until the checks' "recover at":
-- tasks moved into its timed sets make it "check now" (recover at 0; with records, fast until
-- too), and the next claim makes it exact again. "2FC|fast until|pruned at|recover at|aging
-- ms", or (RECORDS false) "pruned at|recover at[|aging ms[|1]]".
local function v2_check_now()
  local c = redis.call('HGET', V2.stats, 'checks')
  if not c then
    return
  end
  if RECORDS and #c >= 46 then
    redis.call('HSET', V2.stats, 'checks',
      string.sub(c, 1, 4) .. ZERO13 .. string.sub(c, 18, 32) .. ZERO13 .. string.sub(c, 46))
  elseif not RECORDS then
    local p, rest = string.match(c, '^(%d+)|%d+(.*)$')
    if p then
      redis.call('HSET', V2.stats, 'checks', p .. '|0' .. rest)
    end
  end
end

-- Wakes idle consumers of layout 2 for tasks that became claimable (capped as every wake list).
local function v2_wake(n)
  if n > 0 and redis.call('LLEN', V2.wake) < 64 then
    redis.call('RPUSH', V2.wake, '1')
  end
end
