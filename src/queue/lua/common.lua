-- common: helpers shared by every rpq script; each script is this prelude plus its own body.
-- Every script receives the same KEYS, all of one queue shard (one hash tag), in the order of
-- the table in keys.rs (a unit test holds the two together):
-- KEYS[1] pending zset: id -> pending score (priority, then arrival; see pending_score)
-- KEYS[2] inflight zset: the claim of each task in flight, its member "id\tlease|claimed
--   ms|attempt|max attempts|pending score|consumer" -> lease deadline ms; "lease" is 16 hex
--   digits drawn by the claim, and the member after "id\t" is the holder's token (Lease.token),
--   so an ack is one ZREM of "id\t" .. token (layout 3's work list, step 4). The tab ends the
--   id (which holds no control character); the token's fields are '|'-joined, so a client may
--   paste it into JSON or a shell line. A cancelled claim's lease has '~' before it
--   (cancel_found)
-- KEYS[3] tasks hash: id -> record: its place in line (16 digits), then the body, or for a
--   task taken back the head "attempts|error length|error" and then the body (record_parts)
-- KEYS[4] taken hash: "id\ttoken" -> ms, for each claim that lease recovery or cancel ended
--   (its holder's ack, fail or extend then tells "not mine" from "mine earlier": ack_not_held);
--   "=id" -> token, the claim `token` marked delivered (DELIVERED); pruned a day after
-- KEYS[5] state hash: written by no script since layout 4 (step 3b): attempts and the last
--   error are in the record's head (record_parts); its place goes with step 5's key order
-- KEYS[6] delayed zset: id -> retry at ms
-- KEYS[7] stats hash: counters, the arrival sequence 'seq', the last-minute ring, checks
-- KEYS[8] wake list: markers that unblock idle consumers
-- KEYS[9] consumers hash: name -> "last seen ms|tasks done"
-- KEYS[10] scheduled zset: id -> due at ms; the home of the `scheduled` state: a task pushed
--   with a due time in the future is here (its body in tasks, nowhere else) until a claim or a
--   push finds it due and promotes it to pending (promote); its priority is its body's "p"
-- KEYS[11] receipts hash: written by no script since layout 3's step 4 (`taken` tells the
--   acks resent apart); its place goes with the key order of step 5
-- KEYS[12] dead zset: id -> died at ms
-- KEYS[13] dead:info hash: written by no script since layout 4 (step 3b): a dead task's reason
--   and attempts are in its record's head
-- KEYS[14] expires zset: id -> expiry deadline ms, for tasks pushed with a ttl; the deadline is
--   also in the body ("x"), so an entry left by an earlier task of the same id is told apart
-- KEYS[15] schedules hash: schedule name -> "last fired ms|definition JSON"; every shard holds
--   every schedule, and "last fired" is the latest slot fired on that shard (fire.lua)
-- KEYS[16] controls hash: pauses, limits and their state, all of this shard (controls.lua):
--   "pause:P" = until ms (NEVER: until resumed); "limit:S" = a limit of line S (0: every task);
--   "tat:S" its rate's bucket, "busy:S" its tasks in flight; "set:S" = the JSON-encoded type
--   whose limit line S is, and "t:TYPE" = S, its line by type
-- KEYS[17] held hash: id -> "S:G,..." for a task in flight that counts against in-flight caps
--   (line S, limit generation G), so every way out of flight (unlease) frees its slot
-- KEYS[18] limited zset: id -> pending score, waiting tasks held back by a limit, out of pending
-- KEYS[19] lines zset: "line\tpending score\tid" (all scores 0), each task of limited in its line
-- KEYS[20] lheads zset: priority digit then line -> the pending score of the line's first task
--   of that priority, for each line that may go
-- KEYS[21] lparked zset: line -> when a claim looks at it again (ms), lines at their limit
-- KEYS[22] blocked zset: child id -> the pending score it waits at once released (flows.lua)
-- KEYS[23] waits hash: "child\tparent" -> 1 for each parent a blocked child waits for; child ->
--   how many (flows.lua)
-- KEYS[24] kids hash: parent id -> its children that wait for it, tab-joined (flows.lua)
-- KEYS[25] finished zset: id -> finished ms, tasks done on a shard with flows (flows.lua)
-- After all of them (a script's own keys too), while the queue's events are on, the scripts that
-- write events get the shard's stream, last (events.lua: K_EVENTS, and N_KEYS the keys before it).
-- A stored body is `{"c":created ms,` then, when they apply, `"u":due ms,` (pushed for later)
-- and `"x":expiry deadline ms,` (pushed with a ttl), then what the producer sent (push.lua).
local K_PENDING, K_INFLIGHT, K_TASKS, K_TAKEN = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_STATE, K_DELAYED, K_STATS, K_WAKE = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_CONSUMERS, K_SCHEDULED, K_RECEIPTS = KEYS[9], KEYS[10], KEYS[11]
local K_DEAD, K_DEADINFO, K_EXPIRES, K_SCHEDULES = KEYS[12], KEYS[13], KEYS[14], KEYS[15]
-- How many keys of the layout a script without controls gets (keys.rs: CORE_KEYS); keys after
-- them (the worker runtime's result keys) are numbered from here.
local CORE_KEYS = 15

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
local FIRE_NOT = 0
local FIRE_FIRED = 1
local FIRE_EARLY = 2
local EXTEND_LOST = 0
local EXTEND_HELD = 1
local EXTEND_CANCELLED = 2
local EXTEND_DELIVERED = 3
local MOVE_UNKNOWN = 0
local MOVE_MOVED = 1
local MOVE_IN_FLIGHT = 2
local MOVE_DEAD = 3
local MOVE_UNREADABLE = 4
local HELD_NONE = 0
local HELD_PAUSED = 1
local HELD_RATE = 2
local HELD_IN_FLIGHT = 3
-- A push's flag for each task (push.lua, enqueue).
local PUSH_KNOWN = 0
local PUSH_QUEUED = 1
local PUSH_DONE = 2
-- The error codes a claim refuses with before it changes anything (claim_fast.lua, claim.lua);
-- Rust then calls the script that does it all.
local ERR_FULL = 'RPQFULL'
local ERR_CONTROLS = 'RPQCONTROLS'
-- A push or claim of a queue whose events are on, sent without the stream (events.lua).
local ERR_EVENTS = 'RPQEVENTS'
-- A shard with groups (the flag 'g') is pushed to and claimed by the scripts that carry
-- groups.lua, with its keys.
local ERR_GROUPS = 'RPQGROUPS'
local ERR_FLOWS = 'RPQFLOWS'
-- A shard this rpq's layout left (checks_read): the scripts that queue or lease work refuse it
-- before any write, naming the layout it went to (Rust: the line of a queue of another layout).
local ERR_LAYOUT = 'RPQLAYOUT'

-- The stats field 'layout' (keys.rs: LAYOUT_NOTE), written by the push that makes the stats
-- hash: longer than 64 bytes, so the hash is a hash table from its creation (push.lua).
local LAYOUT_NOTE = '4: the stored layout of this shard (rpq, docs/layout-v2.md); rpq migrate moves older ones'

-- Idle consumers block on the wake list; a few markers are enough to wake them, and the cap keeps
-- the list bounded while nobody consumes.
local WAKE_CAP = 64

-- The server's time in ms, as a number and as the string of its digits. Made with string
-- operations and one tonumber: each tonumber of Lua is a strtod, each string.format a printf
-- (about 2,000 server instructions apiece, as many as a small redis.call).
local function now_ms()
  local t = redis.call('TIME')
  local s = t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
  return tonumber(s), s
end

-- Scores are built as strings: Lua would print a 16-digit number in %.14g and lose the sequence.
local function pending_score(priority, seq)
  return tostring(priority) .. string.format('%015d', seq)
end

local function priority_of(score)
  return tonumber(string.sub(score, 1, 1))
end

-- `marker` is '1' (new work) unless given: 's' tells a woken consumer to load the schedules again.
-- One RPUSH of all the markers: a push to a queue whose consumers wait (their markers taken)
-- made up to 64 calls here.
local function wake(n, marker)
  local have = redis.call('LLEN', K_WAKE)
  local add = math.min(n, WAKE_CAP - have)
  if add > 0 then
    local marks = {}
    for k = 1, add do
      marks[k] = marker or '1'
    end
    redis.call('RPUSH', K_WAKE, unpack(marks))
  end
end

-- The record of a task (KEYS[3], stored layout 4: docs/layout-v2.md, "The record's head"): its
-- place in line (16 bytes), then its body `{..` for a task never taken back, or the head
-- "attempts|error length|error" and then the body. The error goes by its length in bytes, so
-- it may hold anything ('{', '|', ',"p":', newlines): nothing searches a record from its start
-- for the body, they begin where body_at says. A record moved by an older migrate may be a
-- bare body (byte 1 '{'). Returns the place (nil for a bare body), the attempts and the error
-- of the head (nil, nil without one; the error nil when empty), and where the body begins.
local function record_parts(rec)
  local b1 = string.byte(rec, 1)
  if not b1 or b1 < 48 or b1 > 57 then
    return nil, nil, nil, 1
  end
  local place = string.sub(rec, 1, 16)
  if string.byte(rec, 17) == 123 then
    return place, nil, nil, 17
  end
  local n, len, at = string.match(rec, '^(%d+)|(%d+)|()', 17)
  if not n then
    return place, nil, nil, 17
  end
  len = tonumber(len)
  return place, tonumber(n), len > 0 and string.sub(rec, at, at + len - 1) or nil, at + len
end

-- Where the body of a record (or of a bare body) begins: 1 or 17 without a head, two byte
-- reads; the head is parsed only when there is one. A record begins with a digit: anything
-- else (a bare body, a push's body without its `{"c":..`) is searched from its start.
local function body_at(rec)
  local b1 = string.byte(rec, 1)
  if not b1 or b1 < 48 or b1 > 57 then
    return 1
  end
  if string.byte(rec, 17) == 123 then
    return 17
  end
  return select(4, record_parts(rec))
end

-- The body of a record, for the rare paths that need it alone (a copy of it).
local function body_of(rec)
  local at = rec and body_at(rec)
  return at and (at == 1 and rec or string.sub(rec, at)) or nil
end

-- The attempts of a task taken back (nil for one never taken back, or gone), its place in
-- line (nil when the record has none: a bare body; a scheduled task's is its priority and
-- zeros), its last error (nil when none) and its record, from its record's head.
local function get_state(id)
  local rec = redis.call('HGET', K_TASKS, id)
  if not rec then
    return nil
  end
  local place, n, err = record_parts(rec)
  if place and not string.match(place, '^%d+$') then
    place = nil
  end
  return n, place, err, rec
end

-- Writes the head of task `id`: `n` attempts and the error `err` (kept for `rpq show` while it
-- waits to run again; a dead task's reason), at place `score` (nil keeps the record's, or for
-- a bare body its priority's first place). `rec`, when the caller has read it. A task whose
-- record is gone has nothing to write to.
local function set_state(id, n, score, err, rec)
  rec = rec or redis.call('HGET', K_TASKS, id)
  if not rec then
    return
  end
  local place, _, _, at = record_parts(rec)
  err = err or ''
  redis.call('HSET', K_TASKS, id, (score or place or '2000000000000000')
    .. string.format('%d|%d|', n, #err) .. err .. string.sub(rec, at))
end

-- Drops the head of task `id` (its attempts counted from 1 again, no error), at place
-- `score`: a release of a first attempt, `dead retry`.
local function drop_head(id, score, rec)
  rec = rec or redis.call('HGET', K_TASKS, id)
  if rec then
    redis.call('HSET', K_TASKS, id, score .. string.sub(rec, body_at(rec)))
  end
end

-- The parts of an in-flight member (KEYS[2]): id, token (the member after "id\t"), claimed ms,
-- attempt, max attempts, pending score, consumer, and whether the claim was cancelled (its
-- lease's hex digits after '~', CANCELLED); nil when it is not of that shape.
local function member_parts(m)
  local id, token = string.match(m, '^([^\t]*)\t(.*)$')
  if not id then
    return nil
  end
  local lease, claimed, n, max_att, score, consumer =
    string.match(token, '^(~?%x+)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
  if not lease then
    return nil
  end
  return id, token, tonumber(claimed), tonumber(n), tonumber(max_att), score, consumer,
    string.byte(lease, 1) == 126
end

-- The in-flight member of task `id` and its lease deadline, cancelled or not; nil when it is not
-- in flight. Members are not keyed by id, so this walks the set (ZSCAN with the id as a prefix,
-- its glob characters escaped): the rare paths only (cancel, move, inspect, ctl), never a claim
-- or an ack, which know the member.
local function find_member(id)
  local pattern = string.gsub(id, '[%*%?%[%]\\]', '\\%0') .. '\t*'
  local cursor = '0'
  repeat
    local page = redis.call('ZSCAN', K_INFLIGHT, cursor, 'MATCH', pattern, 'COUNT', '1000')
    cursor = page[1]
    if page[2][1] then
      return page[2][1], page[2][2]
    end
  until cursor == '0'
  return nil
end

-- The end of a claim that took no task (claim.lua, claim_fast.lua): `out` gets when the first
-- retry, lease deadline and scheduled task fall due (0: none).
local function idle(out, want)
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

-- Whether `id` is held with `token`: its member is in flight (one ZSCORE, no parse).
local function holds(id, token)
  return redis.call('ZSCORE', K_INFLIGHT, id .. '\t' .. token) ~= false
end

-- controls (issue 13): the helpers of controls, set by controls.lua, which only the scripts that
-- act on controls carry (nil in the others, which never meet a queue with controls). Nothing
-- here captures it: a local that the closures of this prelude capture costs every call.
local ctl
-- events (issue 26): the writer of lifecycle events, set by events.lua while the script was given
-- the shard's stream (nil otherwise: a queue without events builds none of it).
local ev
-- groups (issue 23): the same for groups.lua, which only push and claim of a shard with
-- groups carry; grp_serve is its fast claim's part (group_turns.lua), built without the rest.
local grp
local grp_serve
-- flows (issue 24): the helpers of flows, set by flows.lua, which the scripts given every key
-- carry (nil in push and in the claims of a shard without flows).
local flows

-- Takes task `id` out of flight by its member (controls.lua frees its slots by the id).
local function unlease(id, member)
  redis.call('ZREM', K_INFLIGHT, member)
end

local function forget(id)
  redis.call('HDEL', K_TASKS, id)
  redis.call('ZREM', K_EXPIRES, id)
end

-- cancel (issue 13): `rpq cancel` of a task in flight puts CANCELLED before the lease's hex
-- digits of its member (same deadline) and records the claim in `taken`. The holder's member is
-- gone, so its ack, extend and fail find the lease gone, and extend tells it "cancelled" rather
-- than "lost"; whoever comes first then removes the task for good: the holder's extend, or lease
-- recovery once a holder that died lets the lease expire. The lease is hex, so no live member has
-- it, and the id before it may be anything.
local CANCELLED = '~'

-- Whether an in-flight member was cancelled (the id before it holds no tab).
local function is_cancelled(member)
  return string.find(member, '\t' .. CANCELLED, 1, true) ~= nil
end

-- Whether the claim of `id` taken with `token` was cancelled: its member, if so, else false.
local function cancelled_for(id, token)
  local m = id .. '\t' .. CANCELLED .. token
  return redis.call('ZSCORE', K_INFLIGHT, m) and m or false
end

-- Issue 19: a consumer whose stdout is a pipe writes a task's `done` line before its ack, and
-- acks once the line was read (`rpq consume | head -1`). Its last extension before the line
-- marks the claim DELIVERED: `taken` field "=id" -> the token (the member, the holder's token,
-- cannot change). Should the consumer die before its ack, lease recovery finishes the task as
-- done (its line is out) instead of running it again: one `done` line per task still (SPEC 11).
-- The holder's ack deletes the mark (ack; an ack riding on the fast claim leaves it to the
-- prune, a day after: the mark is of a claim that is over, matched by its token).
local DELIVERED = '='

local function mark_delivered(id, token)
  redis.call('HSET', K_TAKEN, DELIVERED .. id, token)
end

-- Whether the claim of `id` taken with `token` was marked delivered. A mark whose reply was lost
-- is sent again; should recovery have finished its task meanwhile, the consumer must still say
-- done: the mark stays for that.
local function delivered_for(id, token)
  return redis.call('HGET', K_TAKEN, DELIVERED .. id) == token
end

-- Finishes the delivered tasks among `members` (expired leases) as done; returns the others
-- and how many it finished. `now_s`: the time in ms, as a string.
local function finish_delivered(members, now_s)
  local keep, n = {}, 0
  for _, m in ipairs(members) do
    local id, token = member_parts(m)
    if id and delivered_for(id, token) then
      redis.call('HSET', K_TAKEN, id .. '\t' .. token, now_s)
      if ev then
        ev.of_claim('done', id, m)
      end
      unlease(id, m)
      redis.call('HDEL', K_TASKS, id)
      if flows and flows() then
        flows().done({ id })
      end
      n = n + 1
    else
      keep[#keep + 1] = m
    end
  end
  return keep, n
end

-- Removes the cancelled tasks among `members` (expired leases) for good; returns the others.
local function drop_cancelled(members)
  local keep = {}
  for _, m in ipairs(members) do
    local id, _, _, _, _, _, _, cancelled = member_parts(m)
    if id and cancelled then
      unlease(id, m)
      forget(id)
      if flows and flows() then
        flows().failed(id)
      end
    else
      keep[#keep + 1] = m
    end
  end
  return keep
end

-- The priority in a stored body, {"c":<ms>,"t":<type>,"p":<digit>,"d":...} (NewTask::body), and
-- the body with another one. A JSON string holds no unescaped quote, so the first ,"p": is the
-- priority's: neither needs to decode the payload. nil when the body is not of that shape. Either
-- takes a record too, searched from its body on (body_at: its head's error may hold ,"p":).
local function body_priority(body)
  local i = string.find(body, ',"p":', body_at(body), true)
  return i and tonumber(string.match(string.sub(body, i + 5, i + 5), '^[1-3]$')) or nil
end

local function with_priority(body, p)
  if not body_priority(body) then
    return nil
  end
  local i = string.find(body, ',"p":', body_at(body), true)
  return string.sub(body, 1, i + 4) .. p .. string.sub(body, i + 6)
end

-- The group a stored body names ("g" in its head, before "t"), or "" for the default group, as
-- the body holds it (JSON-escaped, so no tab: groups.lua keys its lines with it). `at`, when
-- the caller knows it, is where its "g":" begins.
local function body_group(body, at)
  if not body then
    return ''
  end
  local i = at
  if not i then
    local from = body_at(body)
    local t = string.find(body, '"t":', from, true)
    i = string.find(body, '"g":"', from, true)
    if not i or (t and i > t) then
      return ''
    end
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

-- The reason and the attempts go into the record's head (set_state), at place `score` (nil
-- keeps the record's).
local function bury(id, now, reason, attempts, dead_cap, score)
  redis.call('ZADD', K_DEAD, now, id)
  set_state(id, attempts, score, reason)
  redis.call('HINCRBY', K_STATS, 'dead', 1)
  -- flows (issue 24): its children go dead too (or as they were pushed to).
  if flows and flows() then
    flows().failed(id)
  end
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

-- Taken. A call whose reply was lost is sent again after the reconnect, and finds its lease
-- gone: settled by that earlier call, or ended by lease recovery or cancel (another consumer
-- may hold the task now). Only the server can tell the two apart: only the holder, lease
-- recovery and cancel remove a member, and the last two record the claim in `taken` ("id\ttoken"
-- -> ms), pruned a day after with the consumers (prune_consumers). So a lease gone and not in
-- `taken` was settled by its holder: this consumer, earlier.
local function taken(id, token)
  return redis.call('HEXISTS', K_TAKEN, id .. '\t' .. token) == 1
end

-- redis.call(cmd, key, ...) with the elements of `list` after the key, in chunks of 1,000 (so
-- that unpack stays within Lua's stack; pairs stay whole); returns the elements of the replies
-- one after the other, for a command that answers one per element (HMGET).
local function call_list(cmd, key, list)
  if #list <= 1000 then
    return redis.call(cmd, key, unpack(list))
  end
  local out = {}
  for c = 1, #list, 1000 do
    local r = redis.call(cmd, key, unpack(list, c, math.min(c + 999, #list)))
    if type(r) == 'table' then
      for _, v in ipairs(r) do
        out[#out + 1] = v
      end
    end
  end
  return out
end

-- The end of ack below for a task this call does not hold: taken from it (recovery or cancel)
-- and finished since, or in someone else's hands; or settled by its own earlier call.
local function ack_not_held(id, token)
  local gone = redis.call('HEXISTS', K_TASKS, id) == 0
  if taken(id, token) then
    return gone and ACK_FINISHED or ACK_LOST
  end
  return gone and ACK_EARLIER or ACK_LOST
end

-- Acknowledge a finished task: one ZREM of its member, which removes something only while that
-- very claim holds (with controls, unlease, which frees its slots).
-- returns ACK_ACKED; ACK_EARLIER (this consumer's earlier call acked it, its reply lost);
-- ACK_FINISHED (someone else finished it, after this consumer's lease expired); ACK_LOST
-- (someone else holds it, or it went back to the queue); and 1 when this call finished it (0
-- otherwise), for the caller's tally
local function ack(id, token)
  local m = id .. '\t' .. token
  local held
  if ctl then
    held = holds(id, token)
    if held then
      unlease(id, m)
    end
  else
    held = redis.call('ZREM', K_INFLIGHT, m) == 1
  end
  if held then
    if ev then
      ev.of_claim('done', id, m)
    end
    -- Not forget(): a leased task has no dead info (bury and dead retry keep the two apart), and
    -- no state (its claim holds it).
    redis.call('HDEL', K_TASKS, id)
    -- The delivering mark, if the holder made one (DELIVERED).
    redis.call('HDEL', K_TAKEN, DELIVERED .. id)
    if flows and flows() then
      flows().done({ id })
    end
    return ACK_ACKED, 1
  end
  return ack_not_held(id, token), 0
end

-- Acknowledges the (id, token) pairs of ARGV[first..], as ack does one by one, in a few calls
-- for them all: one ZREM of their members, then one removal from tasks and of the marks (with
-- controls, one by one through unlease, which frees slots). Each redis.call costs about as much
-- as the command it runs again, so a claim that acks 16 tasks makes 4 calls, not 64.
-- Returns the code of each pair (in order, as ack) and how many this call finished.
local function ack_all(first)
  -- One pair (a consumer without prefetch) goes without the tables, which cost more than the
  -- calls they save.
  if #ARGV == first + 1 then
    local code, fresh = ack(ARGV[first], ARGV[first + 1])
    return { code }, fresh
  end
  if #ARGV < first then
    return {}, 0
  end
  local ids, members = {}, {}
  for i = first, #ARGV, 2 do
    ids[#ids + 1], members[#members + 1] = ARGV[i], ARGV[i] .. '\t' .. ARGV[i + 1]
  end
  -- Which are held, before any is removed: a pair given twice is acked once, and then found
  -- finished, as one by one.
  local scores = call_list('ZMSCORE', K_INFLIGHT, members)
  local codes, held, gone, marks, mine = {}, {}, {}, {}, {}
  for k, id in ipairs(ids) do
    if scores[k] and not mine[members[k]] then
      mine[members[k]] = true
      held[#held + 1], gone[#gone + 1], marks[#marks + 1] = id, members[k], DELIVERED .. id
      codes[k] = ACK_ACKED
      if ev then
        ev.of_claim('done', id, members[k])
      end
    end
  end
  if #held > 0 then
    if ctl then
      for k, id in ipairs(held) do
        unlease(id, gone[k])
      end
    else
      call_list('ZREM', K_INFLIGHT, gone)
    end
    call_list('HDEL', K_TASKS, held)
    call_list('HDEL', K_TAKEN, marks)
    if flows and flows() then
      flows().done(held)
    end
  end
  for k, id in ipairs(ids) do
    codes[k] = codes[k] or ack_not_held(id, string.sub(members[k], #id + 2))
  end
  return codes, #held
end

-- A consumer was seen at `now` and finished `done` more tasks.
-- `now` is the time in ms, or the string of its digits.
local function seen(consumer, now, done)
  local v = redis.call('HGET', K_CONSUMERS, consumer)
  local bar = v and string.find(v, '|', 1, true)
  local total = done + (bar and tonumber(string.sub(v, bar + 1)) or 0)
  local at = type(now) == 'string' and now or string.format('%d', now)
  redis.call('HSET', K_CONSUMERS, consumer, at .. '|' .. string.format('%d', total))
end

-- Counts finished work: one pair of fields a second in the stats hash, 'd:<second>' and
-- 'f:<second>' = done and failed in that second, added to with HINCRBY, so counting reads
-- nothing and writes one field (layout 2, docs/layout-v2.md design point 4; v1 added to the
-- totals as well, a second HINCRBY per count). The totals 'done' and 'failed' hold the seconds
-- that left the last minute: the first count of a second (HINCRBY answers with the count
-- itself) folds the fields of the seconds that left it since the count before ('ring' = that
-- count's second) into them and drops those fields, so the hash holds at most 60 seconds of
-- them. A reader of a total adds the fields still there (stored.rs: Counters::parse, and the
-- lost-write floors), and `rpq stats` sums those of the last 60 seconds for the last minute,
-- without ever looking at a task. `now` is the time in ms, or the string of its digits.
-- Returns nil, nil: the stats hash has nothing more to write (stats_write).
local function ring_turn(sec)
  local s = tonumber(sec)
  -- At the count before, every field older than its minute went: what is left is of that minute.
  local last = tonumber(redis.call('HGET', K_STATS, 'ring') or '') or 0
  -- The ring of an rpq before issue 15 ('m:<slot>') goes a slot a second.
  local gone = { 'm:' .. s % 60 }
  for t = math.max(last - 59, 1), math.min(last, s - 60) do
    gone[#gone + 1] = 'd:' .. t
    gone[#gone + 1] = 'f:' .. t
  end
  if #gone > 1 then
    local v = redis.call('HMGET', K_STATS, unpack(gone))
    local d, f = 0, 0
    for i = 2, #gone, 2 do
      d = d + (tonumber(v[i]) or 0)
      f = f + (tonumber(v[i + 1]) or 0)
    end
    -- Counts go as strings: a number handed to redis.call is printed with %.17g.
    if d > 0 then
      redis.call('HINCRBY', K_STATS, 'done', string.format('%d', d))
    end
    if f > 0 then
      redis.call('HINCRBY', K_STATS, 'failed', string.format('%d', f))
    end
  end
  redis.call('HDEL', K_STATS, unpack(gone))
  redis.call('HSET', K_STATS, 'ring', sec)
end

local function count(now, done, failed)
  if done + failed == 0 then
    return nil, nil
  end
  local sec = type(now) == 'string' and string.sub(now, 1, -4)
    or string.format('%d', math.floor(now / 1000))
  local first = false
  -- A number handed to redis.call is printed with %.17g: the counts go as strings.
  if done > 0 then
    local by = done == 1 and '1' or string.format('%d', done)
    first = redis.call('HINCRBY', K_STATS, 'd:' .. sec, by) == done
  end
  if failed > 0 then
    local by = failed == 1 and '1' or string.format('%d', failed)
    first = redis.call('HINCRBY', K_STATS, 'f:' .. sec, by) == failed or first
  end
  if first then
    ring_turn(sec)
  end
  return nil, nil
end

-- What a claim checks against, in one stats field 'checks' = "pruned at ms|recover at ms" and,
-- while aging is on, "|aging ms" (one read per claim; HGET only, so the README's ACL line stays
-- as it is; a setting a claim must see, such as aging, rides here so that a queue without it
-- costs no extra read). While the controls hash holds anything (a pause, a limit, a line of a
-- limited type), "|aging ms|1" (controls, issue 13). A feature a claim must see that is not a
-- number (events, groups, flows) is a letter of a fifth field, "|aging ms|0 or 1|letters",
-- 'flags' below: set by the first script that turns it on, read by every claim in the same HGET,
-- and carried through by every writer of the field, so that no writer drops another's letter.
-- Recovery looks at the in-flight, delayed, scheduled and expires sets; 'recover at' lets a
-- claim skip them all while nothing can be due: it is at or before the first lease deadline,
-- retry time, due time and expiry deadline (every script that adds to one of the sets lowers
-- it), exact after a check, and 0 or missing means "check now". 'pruned at' is the last step of
-- prune_consumers. 'aging' is the step of `rpq aging` (aging.lua), 0 or missing when off.
local NEVER = 1000000000000000

-- pruned at, recover at, aging, the controls flag (1: the controls hash holds something) and
-- the flags (letters, '' when none) as stored, 0 when missing; and, only for a shard that left
-- this layout, the layout it went to. The stored layout rides on this read (docs/layout-v2.md,
-- "The checks field"): a layout-2 shard's checks begin with a digit, and whatever moves the
-- shard to another layout N writes them as 'layout N' first (keys::retired_checks), so a
-- script of this rpq still running meets it here, at no cost to a layout-2 shard (the match
-- that fails is the one it makes anyway). Until then its times read 0: "check now", which sends
-- the fast claim to claim.lua, which refuses.
local function checks_read()
  local v = redis.call('HGET', K_STATS, 'checks') or ''
  local p, r, a, c, f = string.match(v, '^(%d+)|(%d+)|?(%d*)|?(%d*)|?(%a*)$')
  if p then
    return tonumber(p), tonumber(r), tonumber(a) or 0, c == '1' and 1 or 0, f
  end
  return 0, 0, 0, 0, '', string.match(v, '^layout (%d+)$')
end

-- One HSET of the stats hash: the ring slot from count (field may be nil) and the checks
-- (aging, the controls flag and the flags as read, so that no writer drops them).
local function stats_write(field, value, pruned_at, recover_at, aging, ctl_flag, flags)
  local checks = recover_at and string.format('%d|%d', pruned_at, recover_at)
  if checks and flags and flags ~= '' then
    checks = checks .. string.format('|%d|%d|%s', aging or 0, ctl_flag or 0, flags)
  elseif checks and ctl_flag == 1 then
    checks = checks .. string.format('|%d|1', aging or 0)
  elseif checks and aging and aging > 0 then
    checks = checks .. string.format('|%d', aging)
  end
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
  local pruned_at, recover_at, aging, ctl_flag, flags = checks_read()
  if at < recover_at then
    stats_write(nil, nil, pruned_at, at, aging, ctl_flag, flags)
  end
end

-- Counts finished work for the scripts other than claim, which folds the writes into its own.
-- `earlier`: tasks the consumer finished in earlier calls that its entry does not count yet.
local function tally(now, consumer, done, failed, earlier)
  if consumer then
    seen(consumer, now, done + (earlier or 0))
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
local PRUNE_EVERY_MS = 10000
local function prune_consumers(pruned_at, now)
  if now - pruned_at < PRUNE_EVERY_MS then
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
  -- What `taken` holds the same way, a step of its own: a claim ended by recovery or cancel
  -- (its time), or a delivering mark (its token, whose second field is when it was claimed).
  cursor = redis.call('HGET', K_STATS, 'taken_cursor') or '0'
  page = redis.call('HSCAN', K_TAKEN, cursor, 'COUNT', 100)
  fields = page[2]
  for i = 1, #fields, 2 do
    local v = fields[i + 1]
    local at = tonumber(string.match(v, '^(%d+)$') or string.match(v, '^%x+|(%d+)') or '0')
    if now - at > FORGET_AFTER_MS then
      redis.call('HDEL', K_TAKEN, fields[i])
    end
  end
  redis.call('HSET', K_STATS, 'taken_cursor', page[1])
  return now
end

-- Time: scheduled tasks, expiry, aging (issue 12). A scheduled task's priority is its body's
-- (body_priority above); 2 (medium) when the body cannot be read.
local function due_priority(body)
  return body and body_priority(body) or 2
end

-- When a waiting task began to wait: the time it fell due for a task pushed for later, else
-- when it was created (both at the head of the body); nil when the body cannot be read.
local function waiting_since(body)
  if not body then
    return nil
  end
  -- (From where the body of a record begins: body_at.)
  local at = body_at(body)
  local u = string.match(body, '^{"c":%d+,"u":(%d+)', at)
  return tonumber(u or string.match(body, '^{"c":(%d+)', at))
end

-- Promotion: scheduled tasks that are due join the waiting line by priority, then in the order
-- they fell due: each takes a fresh arrival number now, behind every task already waiting, so
-- none jumps ahead of a task that waited before it fell due (push promotes before it numbers
-- its own tasks, for the same reason). One ranged ZRANGEBYSCORE, one ZREM and one ZADD for
-- the lot: O(log n) a task, at most `limit` (a string) a call. Returns how many joined.
local function promote(now_s, limit)
  local due = redis.call('ZRANGEBYSCORE', K_SCHEDULED, '-inf', now_s, 'LIMIT', '0', limit)
  local n = #due
  if n == 0 then
    return 0
  end
  redis.call('ZREM', K_SCHEDULED, unpack(due))
  local first = redis.call('HINCRBY', K_STATS, 'seq', n) - n
  local zargs, hargs = {}, {}
  for i, id in ipairs(due) do
    local body = redis.call('HGET', K_TASKS, id)
    -- A task whose body is gone was removed meanwhile: nothing to queue.
    if body then
      local score = pending_score(due_priority(body), first + i)
      zargs[#zargs + 1] = score
      zargs[#zargs + 1] = id
      -- Its record takes the place (it held its priority and zeros), in one HSET for all.
      hargs[#hargs + 1] = id
      hargs[#hargs + 1] = score .. string.sub(body, body_at(body))
      if grp and grp().on then
        grp().index(id, score, body)
      end
    end
  end
  if #zargs > 0 then
    redis.call('ZADD', K_PENDING, unpack(zargs))
    redis.call('HSET', K_TASKS, unpack(hargs))
  end
  return #zargs / 2
end

-- Queues one task created at `now`: waiting at once, or scheduled until `due` (ms; nil, or not
-- later than now, means at once); with `ttl` ms (0: none) it expires that long after it falls
-- due unless claimed first. Returns 1 queued (0: the id is already known), the earliest time
-- a claim must look at it (its due time or deadline; nil when neither applies) and, when it
-- waits at once, its pending score (groups.lua indexes it without reading it back).
local function enqueue(id, priority, body, now, due, ttl)
  local later = due ~= nil and due > now
  local deadline = ttl > 0 and (later and due or now) + ttl or nil
  local head = string.format('{"c":%d,', now)
  if later then
    head = head .. string.format('"u":%d,', due)
  end
  if deadline then
    head = head .. string.format('"x":%d,', deadline)
  end
  -- The record begins with the task's place in line (layout 3's work list, step 3): a
  -- scheduled task has none until it falls due (its priority, then zeros), and a task queued
  -- at once takes its arrival number only once its id is known to be new.
  if redis.call('HEXISTS', K_TASKS, id) == 1 then
    return PUSH_KNOWN, nil
  end
  local score = nil
  if later then
    redis.call('HSET', K_TASKS, id, tostring(priority) .. '000000000000000' .. head .. body)
    redis.call('ZADD', K_SCHEDULED, string.format('%d', due), id)
  else
    score = pending_score(priority, redis.call('HINCRBY', K_STATS, 'seq', 1))
    redis.call('HSET', K_TASKS, id, score .. head .. body)
    redis.call('ZADD', K_PENDING, score, id)
  end
  if deadline then
    redis.call('ZADD', K_EXPIRES, string.format('%d', deadline), id)
  end
  return PUSH_QUEUED, later and due or deadline, score
end

-- Expiry: whether a task whose expiry entry says `deadline` (a string) is to go dead now. Only
-- a task never claimed expires (claimed once, it has a state or a claim), and only the task that
-- entry was made for: its body carries the same deadline (a task of the same id pushed later
-- without a ttl has none). Takes it out of the waiting or scheduled set when it goes.
local function expire(id, deadline)
  local body = redis.call('HGET', K_TASKS, id)
  -- Claimed once and taken back, it has a head: body_at is past byte 17.
  local at = body and body_at(body)
  if not body or at > 17 or not string.find(body, ',"x":' .. deadline .. ',', at, true) then
    return false
  end
  -- (A task in flight is in neither set below.)
  if redis.call('ZREM', K_PENDING, id) == 0 and redis.call('ZREM', K_SCHEDULED, id) == 0 then
    return false
  end
  -- Its place's first digit is its priority (a scheduled task's too: enqueue), for `dead
  -- retry`; the caller buries it (the head).
  return true
end

-- The worker runtime (issue 11): per-task settings and kept results.
-- A stored body may begin with settings the producer gave, before "t" (NewTask::body):
-- {"c":..,["u":..,]["x":..,]["m":<max attempts>,]["o":<exec timeout ms>,]["k":<keep ms>,]"t":..
-- None of the head's field names holds a "t", so `[^t]*` stays within the head: for a body
-- without settings the match fails a few bytes in, and the payload is never looked at.
-- `at`: where the body begins in the record (body_at; the fast claim finds it itself).
local function task_max_attempts(body, at)
  return string.match(body, '^{"c":%d+,[^t]*"m":(%d+)', at)
end

-- A kept result: one list of one element under the task's result key (keys::result), in the
-- task's hash tag: "d|<finished ms>|<result>" once done, "x|<finished ms>|<error>" once dead.
-- A list, so that a producer's `--wait` blocks on it (BLMOVE from the key to itself reads it
-- without taking it, for any number of waiters). It has no TTL: under a volatile-* policy Redis
-- would evict it before its time, and the id it keeps taken would run again (issue 19). Its
-- time is in the kept zset (keys::kept: id -> until ms, given after the result keys), read by
-- every script that looks at a result (kept_over). The results past it are removed a few at a
-- time by unkeep.lua, which is given their keys: for keep.lua, which finds them (kept_due) but
-- cannot remove them itself, and for a consumer's claims every few seconds (results.rs:
-- sweep_results). A result kept by an older rpq has a PEXPIRE and no entry.
local function keep_record(kept, id, key, record, keep_ms, now)
  redis.call('DEL', key)
  redis.call('RPUSH', key, record)
  redis.call('ZADD', kept, string.format('%d', now + tonumber(keep_ms)), id)
end

-- The ids whose kept result is past its time, a bounded number a call (more than one call
-- keeps, so a backlog goes down), for the caller to remove with unkeep.lua.
local function kept_due(kept, now)
  return redis.call('ZRANGEBYSCORE', kept, '-inf', string.format('%d', now), 'LIMIT', '0', '32')
end

-- Whether the kept result of `id` is past its time at `now`.
local function kept_over(kept, id, now)
  local at = redis.call('ZSCORE', kept, id)
  return at and tonumber(at) <= now or false
end

-- Where task `id` is among the state sets `sets` (keys, in the order of STATES in types.rs):
-- the state's number and the set that holds it (a waiting task held back by a limit is in
-- `limited`, controls.lua); nil when in none.
local function state_in(id, sets)
  for s, set in ipairs(sets) do
    if set == K_PENDING then
      set = ctl().waiting_in(id) or set
    end
    if set == K_INFLIGHT then
      if find_member(id) then
        return s, set
      end
    elseif redis.call('ZSCORE', set, id) then
      return s, set
    end
  end
  return nil
end

-- state_in among the `m` state sets the call names (ARGV[2..m+1]: their KEYS indexes; cancel
-- and flow cancel).
local function state_of(id, m)
  local sets = {}
  for s = 1, m do
    sets[s] = KEYS[tonumber(ARGV[s + 1])]
  end
  return state_in(id, sets)
end

-- Cancels task `id`, found in `set` (state_of): in flight, through its claim (CANCELLED), for
-- its holder to stop it and remove it; anywhere else, removed with its event, a blocked one
-- taken out of what it waits for. Returns the holder's name, or false.
local function cancel_found(id, set)
  if set == K_INFLIGHT then
    local m, deadline = find_member(id)
    if not m then
      -- No claim to cancel through: nobody can be holding it.
      forget(id)
      return false
    end
    local _, token, _, _, _, _, consumer, cancelled = member_parts(m)
    if not token then
      unlease(id, m)
      forget(id)
      return false
    end
    if not cancelled then
      if ev then
        ev.of_claim('cancelled', id, m)
      end
      local _, now_s = now_ms()
      redis.call('ZREM', K_INFLIGHT, m)
      redis.call('ZADD', K_INFLIGHT, deadline, id .. '\t' .. CANCELLED .. token)
      redis.call('HSET', K_TAKEN, m, now_s)
    end
    return consumer or false
  end
  if ev then
    ev.write('cancelled', id)
  end
  -- flows (issue 24): a blocked task waits no more (flows.lua knows the blocked set).
  local f = flows and flows()
  if f then
    f.leaves(id, set)
  end
  if ctl and set == ctl().K_LIMITED then
    ctl().unhold(id, redis.call('ZSCORE', set, id))
  end
  redis.call('ZREM', set, id)
  forget(id)
  return false
end
