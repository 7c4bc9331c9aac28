-- common: helpers shared by every rpq script; each script is this prelude plus its own body.
-- Every script receives the same KEYS, all of one queue shard (one hash tag), in the order of
-- the table in keys.rs (a unit test holds the two together):
-- KEYS[1] pending zset: id -> pending score (priority, then arrival; see pending_score)
-- KEYS[2] inflight zset: id -> lease deadline ms
-- KEYS[3] tasks hash: id -> body
-- KEYS[4] claims hash: id -> "token|claimed ms|max attempts|attempts|pending score|consumer"
-- KEYS[5] state hash: id -> "attempts|pending score", for tasks claimed at least once and out of
--   flight: waiting again, retrying or dead; a task in flight keeps both in its claim, so that a
--   first attempt, claimed and acked, never touches this hash
-- KEYS[6] delayed zset: id -> retry at ms
-- KEYS[7] dead zset: id -> died at ms
-- KEYS[8] dead:info hash: id -> JSON {error, attempts}
-- KEYS[9] stats hash: counters, the last-minute ring, checks
-- KEYS[10] wake list: markers that unblock idle consumers
-- KEYS[11] seq string: arrival sequence counter
-- KEYS[12] consumers hash: name -> "last seen ms|tasks done"
-- KEYS[13] receipts hash: consumer instance -> "ms\n" then "id\ttoken\n" for each pair its last
--   ack or fail settled, so a call resent after a lost reply knows its own work (see ack)
local K_PENDING, K_INFLIGHT, K_TASKS, K_CLAIMS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_STATE, K_DELAYED, K_DEAD, K_DEADINFO = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_STATS, K_WAKE, K_SEQ, K_CONSUMERS = KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local K_RECEIPTS = KEYS[13]

-- Reply codes, named the same in Rust (script.rs: AckCode, FailCode).
local ACK_LOST = 0
local ACK_ACKED = 1
local ACK_FINISHED = 2
local ACK_EARLIER = 3
local FAIL_LOST = 0
local FAIL_RETRY = 1
local FAIL_DEAD = 2
local FAIL_WAS_RETRYING = 3
local FAIL_WAS_DEAD = 4

-- Idle consumers block on the wake list; a few markers are enough to wake them, and the cap keeps
-- the list bounded while nobody consumes.
local WAKE_CAP = 64

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Scores are built as strings: Lua would print a 16-digit number in %.14g and lose the sequence.
local function pending_score(priority, seq)
  return tostring(priority) .. string.format('%015d', seq)
end

local function priority_of(score)
  return tonumber(string.sub(score, 1, 1))
end

local function wake(n)
  local have = redis.call('LLEN', K_WAKE)
  local add = math.min(n, WAKE_CAP - have)
  for _ = 1, add do
    redis.call('RPUSH', K_WAKE, '1')
  end
end

-- "attempts|score" or nil
local function get_state(id)
  local st = redis.call('HGET', K_STATE, id)
  if not st then
    return nil
  end
  local n, score = string.match(st, '^(%d+)|(%d+)$')
  return tonumber(n), score
end

local function set_state(id, n, score)
  redis.call('HSET', K_STATE, id, string.format('%d|%s', n, score))
end

-- token, claimed ms, max attempts, attempts, pending score, consumer; or nil
local function get_claim(id)
  local c = redis.call('HGET', K_CLAIMS, id)
  if not c then
    return nil
  end
  local token, claimed, max_att, n, score, consumer =
    string.match(c, '^([^|]*)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
  if not token then
    -- Written by an older rpq, which kept attempts and place in line in the state hash: a queue
    -- may hold such claims while its consumers are upgraded, and any consumer recovers them.
    token, claimed, max_att, consumer = string.match(c, '^([^|]*)|(%d+)|(%d+)|(.*)$')
    n, score = get_state(id)
  end
  return token, tonumber(claimed), tonumber(max_att), tonumber(n), score, consumer
end

-- A prefix test, not get_claim: the hot path of every ack need not parse the whole claim.
local function holds(id, token)
  local c = redis.call('HGET', K_CLAIMS, id)
  return c and string.sub(c, 1, #token + 1) == token .. '|' or false
end

local function unlease(id)
  redis.call('ZREM', K_INFLIGHT, id)
  redis.call('HDEL', K_CLAIMS, id)
end

local function forget(id)
  redis.call('HDEL', K_TASKS, id)
  redis.call('HDEL', K_STATE, id)
  redis.call('HDEL', K_DEADINFO, id)
end

local function bury(id, now, reason, attempts, dead_cap)
  redis.call('ZADD', K_DEAD, now, id)
  redis.call('HSET', K_DEADINFO, id, cjson.encode({ error = reason, attempts = attempts }))
  redis.call('HINCRBY', K_STATS, 'dead', 1)
  local over = redis.call('ZCARD', K_DEAD) - dead_cap
  if over > 0 then
    -- The dead set is bounded: the oldest go, bodies and all.
    local old = redis.call('ZRANGE', K_DEAD, 0, over - 1)
    for _, oid in ipairs(old) do
      redis.call('ZREM', K_DEAD, oid)
      forget(oid)
    end
  end
end

-- Receipts. A call whose reply was lost is sent again after the reconnect, and finds its task
-- finished: by that earlier call, or by another consumer that took the task over once this
-- one's lease expired. Only the server can tell the two apart, so every call that settles a
-- lease (ack, fail) leaves a receipt under its consumer instance (a random id per process,
-- ARGV): the (id, token) pairs it settled. A resent call finds its pairs there. One field per
-- instance, overwritten by its next call that settles something and pruned a day after its
-- last one (prune_consumers), so memory stays bounded by the consumers of the last day.
local receipt_of = nil -- the caller's instance; set from ARGV by each script that settles
local receipt_old = nil -- what its last call left, read at most once per call
local receipt_new = nil -- what this call settles, "id\ttoken\n" each

local function receipt_add(id, token)
  receipt_new = (receipt_new or '') .. id .. '\t' .. token .. '\n'
end

-- Whether this instance's last call settled (id, token).
local function receipt_has(id, token)
  if receipt_old == nil then
    receipt_old = redis.call('HGET', K_RECEIPTS, receipt_of) or ''
  end
  return string.find(receipt_old, '\n' .. id .. '\t' .. token .. '\n', 1, true) ~= nil
end

-- Leaves this call's receipt, if it settled anything (a call that settled nothing leaves the
-- last one in place: it may be a stale copy arriving late, and the last one still matters).
local function receipt_write(now)
  if receipt_new then
    redis.call('HSET', K_RECEIPTS, receipt_of, string.format('%d', now) .. '\n' .. receipt_new)
  end
end

-- Acknowledge a finished task.
-- returns ACK_ACKED; ACK_EARLIER (this instance's earlier call acked it, its reply lost);
-- ACK_FINISHED (someone else finished it, after this consumer's lease expired); ACK_LOST
-- (someone else holds it, or it went back to the queue); and 1 when this call finished it (0
-- otherwise), for the caller's tally
local function ack(id, token)
  if holds(id, token) then
    unlease(id)
    -- Not forget(): a leased task has no dead info (bury and dead retry keep the two apart), and
    -- no state (its claim holds it). Only the holder acks, with the scripts of its own rpq, so a
    -- claim of an older rpq, which kept state, is never acked here.
    redis.call('HDEL', K_TASKS, id)
    receipt_add(id, token)
    return ACK_ACKED, 1
  end
  if redis.call('HEXISTS', K_TASKS, id) == 0 then
    if receipt_has(id, token) then
      receipt_add(id, token)
      return ACK_EARLIER, 0
    end
    return ACK_FINISHED, 0
  end
  return ACK_LOST, 0
end

-- A consumer was seen at `now` and finished `done` more tasks.
local function seen(consumer, now, done)
  local v = redis.call('HGET', K_CONSUMERS, consumer)
  local total = done + (v and tonumber(string.match(v, '|(%d+)$')) or 0)
  redis.call('HSET', K_CONSUMERS, consumer, string.format('%d|%d', now, total))
end

-- Counts finished work: the totals, and the last minute in a ring of 60 one-second slots in the
-- stats hash, field 'm:<second mod 60>' = 'second|done|failed'. A slot left from an older second
-- starts again at zero, so the ring never holds more than 60 fields, and a reader sums the slots
-- of the last 60 seconds (`rpq stats`) without ever looking at a task. Returns the slot's field
-- and new value (nil when there is nothing to count), for the caller's one HSET of the stats hash.
local function count(now, done, failed)
  if done + failed == 0 then
    return nil
  end
  if done > 0 then
    redis.call('HINCRBY', K_STATS, 'done', done)
  end
  if failed > 0 then
    redis.call('HINCRBY', K_STATS, 'failed', failed)
  end
  local sec = math.floor(now / 1000)
  local field = 'm:' .. (sec % 60)
  local v = redis.call('HGET', K_STATS, field)
  if v then
    local s, d, f = string.match(v, '^(%d+)|(%d+)|(%d+)$')
    if tonumber(s) == sec then
      done, failed = done + tonumber(d), failed + tonumber(f)
    end
  end
  return field, string.format('%d|%d|%d', sec, done, failed)
end

-- Two times a claim checks against, in one stats field 'checks' = "pruned at ms|recover at ms"
-- (one read per claim; HGET only, so the README's ACL line stays as it is).
-- Recovery looks at the in-flight and delayed sets; 'recover at' lets a claim skip both while
-- nothing can be due: it is at or before the first lease deadline and the first retry time
-- (every script that adds to either set lowers it), exact after a check, and 0 or missing means
-- "check now". 'pruned at' is the last step of prune_consumers.
local NEVER = 1e15

-- pruned at and recover at as stored, 0 when missing
local function checks_read()
  local v = redis.call('HGET', K_STATS, 'checks') or ''
  local p, r = string.match(v, '^(%d+)|(%d+)$')
  return tonumber(p) or 0, tonumber(r) or 0
end

-- One HSET of the stats hash: the ring slot from count (field may be nil) and the checks.
local function stats_write(field, value, pruned_at, recover_at)
  local checks = recover_at and string.format('%d|%d', pruned_at, recover_at)
  if field and checks then
    redis.call('HSET', K_STATS, field, value, 'checks', checks)
  elseif field then
    redis.call('HSET', K_STATS, field, value)
  elseif checks then
    redis.call('HSET', K_STATS, 'checks', checks)
  end
end

-- A lease or retry is due at `at`, set by a script other than claim: no claim may skip recovery
-- from then on.
local function recover_by(at)
  local pruned_at, recover_at = checks_read()
  if at < recover_at then
    stats_write(nil, nil, pruned_at, at)
  end
end

-- Counts finished work for the scripts other than claim, which folds the writes into its own.
local function tally(now, consumer, done, failed)
  if consumer then
    seen(consumer, now, done)
  end
  stats_write(count(now, done, failed))
end

-- Consumers not seen for a day are forgotten, so the consumers hash holds the names of the last
-- day however many came and went (a default name is HOST-PID: a new one per process). The hash
-- is walked with HSCAN, a step of about 100 fields (the whole hash while it is small enough to
-- be a listpack) at most every 10 s per queue, its cursor kept in the stats hash (its time in
-- 'checks'): bounded work per call, and every name is visited again and again.
local FORGET_AFTER_MS = 24 * 3600 * 1000
-- returns when it last pruned: `pruned_at` as read, or now
local function prune_consumers(pruned_at, now)
  if now - pruned_at < 10000 then
    return pruned_at
  end
  local cursor = redis.call('HGET', K_STATS, 'prune_cursor') or '0'
  local page = redis.call('HSCAN', K_CONSUMERS, cursor, 'COUNT', 100)
  local fields = page[2]
  for i = 1, #fields, 2 do
    local at = tonumber(string.match(fields[i + 1], '^(%d+)')) or 0
    if now - at > FORGET_AFTER_MS then
      redis.call('HDEL', K_CONSUMERS, fields[i])
    end
  end
  redis.call('HSET', K_STATS, 'prune_cursor', page[1])
  -- Receipts the same way, a step of their own: each begins with the time of its call.
  cursor = redis.call('HGET', K_STATS, 'receipts_cursor') or '0'
  page = redis.call('HSCAN', K_RECEIPTS, cursor, 'COUNT', 100)
  fields = page[2]
  for i = 1, #fields, 2 do
    local at = tonumber(string.match(fields[i + 1], '^(%d+)')) or 0
    if now - at > FORGET_AFTER_MS then
      redis.call('HDEL', K_RECEIPTS, fields[i])
    end
  end
  redis.call('HSET', K_STATS, 'receipts_cursor', page[1])
  return now
end
