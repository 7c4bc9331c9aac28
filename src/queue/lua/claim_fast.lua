-- claim_fast: claim.lua's common case in fewer calls: ack finished tasks, then lease up to N
-- waiting tasks at once (one ZPOPMIN, one read of their state and of their bodies, one ZADD of
-- their members); claim.lua goes on doing everything else
-- KEYS: the first FAST_KEYS (keys.rs) of the common layout (common.lua): the keys it names
-- ARGV: as claim.lua's
-- returns as claim.lua without controls; or, before it changes anything, the error RPQFULL when
-- claim.lua has work this script leaves out: a lease, retry, due time or expiry may be due (the
-- checks), the consumers are due a prune, aging is on, the queue has controls, the call asks
-- for no task or more than 1,000, an ack is not of a task held with its token (lost, or
-- given twice), or the queue's events are on and the call was not given their stream (with it,
-- the claimed and done events are written here, as claim.lua writes them: events.lua)
-- Every helper a script names is a closure made on each call (script.rs: prelude), at about
-- 1,500 server instructions apiece: this one does in its own lines what the few calls of the
-- common case need from ack and lease recovery, and names only small helpers.
local want, token, consumer, max_att = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, now_s = now_ms()
local pruned_at, recover_at, aging, ctl_flag, flags = checks_read()
local fast_until = math.min(recover_at, pruned_at + PRUNE_EVERY_MS)
local function full(why)
  return redis.error_reply(ERR_FULL .. ' ' .. why)
end
-- groups (issue 23): the fast claim with group_turns.lua takes groups in turn; without it, it
-- refuses.
local grouped = string.find(flags, 'g', 1, true) ~= nil
if fast_until <= now or aging > 0 or ctl_flag == 1 or (grouped and not grp_serve) then
  return full('recovery, pruning, aging, controls or groups')
end
-- events (issue 26): written here as claim.lua writes them, when given the stream.
local events_on = flags ~= '' and string.find(flags, 'e', 1, true) ~= nil
if events_on and not ev then
  return full('events, and no stream')
end
if ev then
  ev.on = events_on
end
-- flows (issue 24): an ack may release children (flows.lua), which claim.lua does.
if flags ~= '' and string.find(flags, 'f', 1, true) then
  return full('flows')
end
local n_want = tonumber(want)
if n_want < 1 or n_want > 1000 or #ARGV > 2008 then
  return full('no task, or more than 1,000 at once')
end

-- The acks, looked at first: each must be of a task held with its token, its member in flight
-- (ack's common case); anything else is claim.lua's to tell (ack_all). One ack is one ZREM,
-- which removes nothing when it is not held; several are looked at first (ZMSCORE), so that a
-- refusal comes before any write.
local n_ack = (#ARGV - 8) / 2
local acked, gone = nil, nil -- the ids and members, for two acks or more
local m1 = n_ack == 1 and ARGV[9] .. '\t' .. ARGV[10]
if n_ack == 1 then
  if redis.call('ZREM', K_INFLIGHT, m1) == 0 then
    return full('an ack of a task not held')
  end
elseif n_ack > 1 then
  acked, gone = {}, {}
  local mine = {}
  for k = 1, n_ack do
    local id = ARGV[7 + 2 * k]
    if mine[id] then
      return full('an ack given twice')
    end
    mine[id], acked[k], gone[k] = true, id, id .. '\t' .. ARGV[8 + 2 * k]
  end
  local held = redis.call('ZMSCORE', K_INFLIGHT, unpack(gone))
  for k = 1, n_ack do
    if not held[k] then
      return full('an ack of a task not held')
    end
  end
end
local out = { now, 0, 0, 0, 0, n_ack }
if ev and n_ack == 1 then
  ev.of_claim('done', ARGV[9], m1)
elseif ev and acked then
  for k = 1, n_ack do
    ev.of_claim('done', acked[k], gone[k])
  end
end
-- The acks: as ack does for a task it holds (no dead info, no state: see there).
if n_ack == 1 then
  redis.call('HDEL', K_TASKS, ARGV[9])
elseif acked then
  redis.call('ZREM', K_INFLIGHT, unpack(gone))
  redis.call('HDEL', K_TASKS, unpack(acked))
end
for k = 1, n_ack do
  out[6 + k] = ACK_ACKED
end
-- Their delivering marks, when the caller made some (a consumer whose stdout is a pipe).
if ARGV[7] == '1' then
  local marks = {}
  for k = 1, n_ack do
    marks[k] = DELIVERED .. ARGV[7 + 2 * k]
  end
  redis.call('HDEL', K_TAKEN, unpack(marks))
end

-- The acks do not bear on which tasks wait (without controls, which claim.lua carries).
local popped
local flags_moved = false
if grouped then
  -- Groups in turn; what waits unindexed goes as before once no group has work.
  local idle
  popped, idle = grp_serve(n_want, string.find(flags, 'w', 1, true) ~= nil)
  -- The last group's last task: the keys went, the flag goes (only weights set stay).
  if idle then
    flags, flags_moved = string.gsub(flags, 'g', ''), true
  end
  if #popped < 2 * n_want then
    local more = redis.call('ZPOPMIN', K_PENDING, string.format('%d', n_want - #popped / 2))
    for _, v in ipairs(more) do
      popped[#popped + 1] = v
    end
  end
else
  popped = redis.call('ZPOPMIN', K_PENDING, want)
end

-- The leases. Attempts and place in line ride in the claim while in flight (common.lua's
-- layout): a task claimed before has its attempts in its record's head, which stays.
local lease = tonumber(ARGV[1])
local deadline = string.format('%d', now + lease)
local head = token .. '|' .. now_s .. '|'
-- One task's claim: its token (its member after "id\t"), with its attempt and max attempts.
local function leased(id, score, body)
  local n, n_s, m, at = 1, '1', max_att, 17
  -- A first attempt's record has its body at byte 17 (or is a bare body, at 1): no head to
  -- read. A task taken back has "attempts|error length|error" there (common.lua's
  -- record_parts, not called: each helper this script names is a closure made on every call).
  if body and string.byte(body, 17) ~= 123 then
    if string.byte(body, 1) == 123 then
      at = 1
    else
      local a, len, e = string.match(body, '^(%d+)|(%d+)|()', 17)
      if a then
        n, at = tonumber(a) + 1, e + tonumber(len)
        n_s = string.format('%d', n)
      end
    end
  end
  -- The worker runtime (issue 11): a task pushed with its own max attempts carries it at the
  -- head of its body (task_max_attempts). A body with a 13-digit created time and no settings
  -- has its "t" at byte 21, which spares the pattern; so does one whose group ("g", issue 23)
  -- comes first, as "m" would come before it (the pattern's backtracking through a body
  -- without "m" costs a grouped claim some 4,000 server instructions).
  -- (In a record the body begins at `at`: after its place, and its head if it has one.)
  local b21 = body and string.byte(body, at + 20)
  if b21 and b21 ~= 116 and b21 ~= 103 then
    m = task_max_attempts(body, at) or max_att
  end
  local tk = head .. n_s .. '|' .. m .. '|' .. score .. '|' .. consumer
  out[#out + 1] = id
  out[#out + 1] = body
  out[#out + 1] = tk
  if ev then
    ev.write('claimed', id, body or false, n, consumer)
  end
  return id .. '\t' .. tk
end
if #popped == 0 then
  idle(out, n_want)
elseif #popped == 2 then
  -- One task (no prefetch): plain calls, no tables, which cost more than they save here.
  local id = popped[1]
  redis.call('ZADD', K_INFLIGHT, deadline, leased(id, popped[2], redis.call('HGET', K_TASKS, id)))
else
  local ids = {}
  for k = 1, #popped / 2 do
    ids[k] = popped[2 * k - 1]
  end
  local bodies = redis.call('HMGET', K_TASKS, unpack(ids))
  local zargs = {}
  for k, id in ipairs(ids) do
    zargs[2 * k - 1], zargs[2 * k] = deadline, leased(id, popped[2 * k], bodies[k])
  end
  redis.call('ZADD', K_INFLIGHT, unpack(zargs))
end

local recover = nil
if #popped > 0 and now + lease < recover_at then
  recover = now + lease
  fast_until = math.min(fast_until, recover)
end
if flags_moved and not recover then
  recover = recover_at
end
if ARGV[8] ~= '' then
  seen(consumer, now_s, n_ack + tonumber(ARGV[8]))
end
local field, value = count(now_s, n_ack, 0)
stats_write(field, value, pruned_at, recover, aging, ctl_flag, flags)
out[5] = fast_until
return out
