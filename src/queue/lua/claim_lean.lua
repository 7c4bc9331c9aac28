-- claim_lean: the fast claim of a plain queue (layout 3's step 5, issue 22): acks riding on it,
-- then up to 1,000 waiting tasks leased, as claim_fast.lua does them, with the same calls and
-- fewer keys, arguments, strings and numbers made: its own prelude (lean.lua) and keys
-- (keys.rs: LEAN_KEYS)
-- ARGV[1] "lease ms|want (1..1000)|max attempts|owed|marked|lease token|consumer": owed is ''
--   or the tasks owed to the consumer's entry (then KEYS[5] is consumers), marked '1' when an
--   ack's lease was marked delivered (then taken is the last key); one argument, as each costs
--   the server about 900 instructions (a Lua string made and a slot of the ARGV table grown)
-- ARGV[2..] the in-flight members ("id\ttoken") to acknowledge, at most 1,000
-- returns {now, fast until, acks (every one acked), then id, record and token per task leased}:
-- claim_fast.lua's reply without what the client knows (claim.rs makes it that reply: each
-- element costs the server some 900 instructions). When it leased nothing it did not look at
-- what falls due when: the caller asks claim_fast.lua next, without the acks (done here).
-- Errors, before it writes anything (the caller sends claim_fast.lua, which does it all, or
-- claim.lua for 'due' and 'ack', which claim_fast.lua refuses too):
-- 'RPQFULL shard' the checks are not those of a plain shard (aging, controls, groups, events,
-- flows, another layout); 'RPQFULL due' recovery or the consumers' prune may be due, or no
-- checks; 'RPQFULL ack' an ack is not of a task held with its token, or is given twice;
-- 'RPQFULL idle' nothing waits and nothing was acked; 'RPQFULL want' the call asks for no task
-- or more than 1,000, or acks more than 1,000.
local t = redis.call('TIME')
local us = t[2]
local now_s = t[1] .. (#us == 6 and string.sub(us, 1, 3)
  or string.sub('000' .. string.sub(us, 1, -4), -3))
-- "pruned at|recover at" alone: no aging, no controls, no flag letter (common.lua: checks_read).
local checks = redis.call('HGET', K_STATS, 'checks')
if not checks then
  return redis.error_reply(ERR_FULL .. ' due')
end
local pruned_s, recover_s = string.match(checks, '^(%d+)|(%d+)$')
if not pruned_s then
  return redis.error_reply(ERR_FULL .. ' shard')
end
local now, recover_at = tonumber(now_s), tonumber(recover_s)
local fast_until = math.min(recover_at, tonumber(pruned_s) + PRUNE_EVERY_MS)
if fast_until <= now then
  return redis.error_reply(ERR_FULL .. ' due')
end
local lease_s, want, max_att, owed, marked, token, consumer =
  string.match(ARGV[1], '^(%d+)|(%d+)|(%d+)|(%d*)|(1?)|(%x+)|(.*)$')
local n_want = want and (want == '1' and 1 or tonumber(want))
local n_ack = #ARGV - 1
if not n_want or n_want < 1 or n_want > 1000 or n_ack > 1000 then
  return redis.error_reply(ERR_FULL .. ' want')
end

-- The acks: each of a task held with its token (its member in flight). One is one ZREM, which
-- removes nothing when it is not held; several are looked at first (ZMSCORE), so that a
-- refusal comes before any write.
local m1, id1, ids = ARGV[2], nil, nil
if n_ack == 1 then
  if redis.call('ZREM', K_INFLIGHT, m1) == 0 then
    return redis.error_reply(ERR_FULL .. ' ack')
  end
  id1 = string.sub(m1, 1, (string.find(m1, '\t', 1, true) or 0) - 1)
elseif n_ack > 1 then
  ids = {}
  local twice = {}
  for k = 1, n_ack do
    local m = ARGV[1 + k]
    if twice[m] then
      return redis.error_reply(ERR_FULL .. ' ack')
    end
    twice[m] = true
    ids[k] = string.sub(m, 1, (string.find(m, '\t', 1, true) or 0) - 1)
  end
  local held = redis.call('ZMSCORE', K_INFLIGHT, unpack(ARGV, 2))
  for k = 1, n_ack do
    if not held[k] then
      return redis.error_reply(ERR_FULL .. ' ack')
    end
  end
end
-- The tasks: taken before the acks are written, so that a call with nothing to ack and
-- nothing waiting refuses before any write (claim_fast.lua then says when work falls due).
local popped = redis.call('ZPOPMIN', K_PENDING, want)
local np = #popped / 2
if np == 0 and n_ack == 0 then
  return redis.error_reply(ERR_FULL .. ' idle')
end
if n_ack == 1 then
  redis.call('HDEL', K_TASKS, id1)
elseif ids then
  redis.call('ZREM', K_INFLIGHT, unpack(ARGV, 2))
  redis.call('HDEL', K_TASKS, unpack(ids))
end
if marked == '1' then
  local marks = {}
  for k = 1, n_ack do
    marks[k] = DELIVERED .. (id1 or ids[k])
  end
  redis.call('HDEL', KEYS[#KEYS], unpack(marks))
end

-- The ids of several tasks taken.
local tids
if np > 1 then
  tids = {}
  for k = 1, np do
    tids[k] = popped[2 * k - 1]
  end
end

-- The leases: the member "id\ttoken", the token "lease|claimed ms|attempt|max|place|consumer"
-- (common.lua's KEYS[2]), the attempt after the record head's, the max attempts from the body's
-- settings when it has them (common.lua: task_max_attempts; byte 21 of a body is the "t" of a
-- body without settings, which spares the pattern, or a group's "g").
local lease = tonumber(lease_s)
local deadline = string.format('%d', now + lease)
-- A lease due before what the checks know of lowers 'recover at' (common.lua: stats_write).
if np > 0 and now + lease < recover_at then
  fast_until = math.min(fast_until, now + lease)
end
local out
if np == 1 then
  local id = popped[1]
  local rec = redis.call('HGET', K_TASKS, id)
  -- HEAD (as claim_fast.lua's `leased`, inline: a local function is a closure made a call):
  -- a first attempt's record has its body at byte 17 (a bare body at 1); a task taken back
  -- has "attempts|error length|error" there, and its body after the error.
  local n_s, at = '1', 17
  if rec and string.byte(rec, 17) ~= 123 then
    if string.byte(rec, 1) == 123 then
      at = 1
    else
      local a, len, e = string.match(rec, '^(%d+)|(%d+)|()', 17)
      if a then
        n_s, at = string.format('%d', tonumber(a) + 1), e + tonumber(len)
      end
    end
  end
  local m = max_att
  local b = rec and string.byte(rec, at + 20)
  if b and b ~= 116 and b ~= 103 then
    m = string.match(rec, '^{"c":%d+,[^t]*"m":(%d+)', at) or max_att
  end
  local tk = token .. '|' .. now_s .. '|' .. n_s .. '|' .. m .. '|' .. popped[2] .. '|' .. consumer
  redis.call('ZADD', K_INFLIGHT, deadline, id .. '\t' .. tk)
  -- The reply made whole at once (a table grown past its size is rehashed).
  out = { now, fast_until, n_ack, id, rec or false, tk }
else
  out = { now, fast_until, n_ack }
  if np > 1 then
    local recs = redis.call('HMGET', K_TASKS, unpack(tids))
    local zargs = {}
    local o = 3
    local head = token .. '|' .. now_s .. '|'
    for k = 1, np do
      local id, rec = tids[k], recs[k]
      -- HEAD, as above.
      local n_s, at = '1', 17
      if rec and string.byte(rec, 17) ~= 123 then
        if string.byte(rec, 1) == 123 then
          at = 1
        else
          local a, len, e = string.match(rec, '^(%d+)|(%d+)|()', 17)
          if a then
            n_s, at = string.format('%d', tonumber(a) + 1), e + tonumber(len)
          end
        end
      end
      local m = max_att
      local b = rec and string.byte(rec, at + 20)
      if b and b ~= 116 and b ~= 103 then
        m = string.match(rec, '^{"c":%d+,[^t]*"m":(%d+)', at) or max_att
      end
      local tk = head .. n_s .. '|' .. m .. '|' .. popped[2 * k] .. '|' .. consumer
      zargs[2 * k - 1], zargs[2 * k] = deadline, id .. '\t' .. tk
      out[o + 1], out[o + 2], out[o + 3] = id, rec or false, tk
      o = o + 3
    end
    redis.call('ZADD', K_INFLIGHT, unpack(zargs))
  end
end
if np > 0 and now + lease < recover_at then
  redis.call('HSET', K_STATS, 'checks', pruned_s .. '|' .. deadline)
end
if owed ~= '' then
  -- The consumer's entry (common.lua: seen): "last seen ms|tasks done".
  local v = redis.call('HGET', KEYS[5], consumer)
  local bar = v and string.find(v, '|', 1, true)
  local total = n_ack + tonumber(owed) + (bar and tonumber(string.sub(v, bar + 1)) or 0)
  redis.call('HSET', KEYS[5], consumer, now_s .. '|' .. string.format('%d', total))
end
-- The finished work of this second (common.lua: count, and ring_turn at a second's first).
if n_ack > 0 then
  local sec = t[1]
  if redis.call('HINCRBY', K_STATS, 'd:' .. sec, n_ack == 1 and '1' or string.format('%d', n_ack))
      == n_ack then
    local s = tonumber(sec)
    local last = tonumber(redis.call('HGET', K_STATS, 'ring') or '') or 0
    local gone = { 'm:' .. s % 60 }
    for x = math.max(last - 59, 1), math.min(last, s - 60) do
      gone[#gone + 1] = 'd:' .. x
      gone[#gone + 1] = 'f:' .. x
    end
    if #gone > 1 then
      local v = redis.call('HMGET', K_STATS, unpack(gone))
      local d, f = 0, 0
      for i = 2, #gone, 2 do
        d = d + (tonumber(v[i]) or 0)
        f = f + (tonumber(v[i + 1]) or 0)
      end
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
end
return out
