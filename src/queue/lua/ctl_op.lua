-- ctl_op: one verb of `rpq ctl` (issue 25) for a running task, applied only while the caller's
-- claim holds (ctl_lease.lua): progress, log, checkpoint set/get, once, spawn (staged until the
-- attempt's ack: ctl_ack.lua). Everything goes in the task's control hash (keys::ctl), which
-- lives as long as the task: ctl_ack.lua deletes it with the ack, the consumer deletes it when
-- the task dies or is cancelled, and each write sets CTL_TTL_MS as a backstop.
-- The control hash: "p" = "N|attempt|ms|message" (the last progress); "ln" = lines logged so far
-- and "l:K" = "attempt|ms|text" for the last CTL_LOG_LINES of them; "c:KEY" = a checkpoint's
-- value and "cn" = how many; "o:KEY" = the attempt that first claimed once-key KEY; "sp" = the
-- token of the attempt whose spawns are staged, "sn" = how many, "s:K" = "priority\tid\tbody".
-- The shard's stats hash gets "ctl_used" = 1 with its first control hash.
-- KEYS: the whole layout (common.lua, controls.lua), then the task's control hash
-- ARGV[1] id  ARGV[2] token  ARGV[3] verb: progress | log | set | get | once | spawn
-- ARGV[4..] the verb's: progress N message; log text...; set key value; get key; once key;
-- spawn priority id body
-- returns {CTL_*, value}: CTL_OK (get: the value, or nil), CTL_LOST (the lease does not hold),
-- CTL_ALREADY (once: the attempt that claimed it), CTL_FULL (a bound of the hash is reached)
local id, token, verb = ARGV[1], ARGV[2], ARGV[3]
local K_CTL = KEYS[LAYOUT_KEYS + 1]
local now = now_ms()
local attempt = lease_attempt(id, token, now)
if not attempt then
  return { CTL_LOST }
end
local at = string.format('%d', now)
local function written()
  redis.call('PEXPIRE', K_CTL, CTL_TTL_MS)
  -- The shard has had control hashes: its clear sweeps them (ctl_sweep.lua); one that never
  -- had any is not scanned for them.
  redis.call('HSETNX', K_STATS, 'ctl_used', 1)
  return { CTL_OK }
end
if verb == 'progress' then
  redis.call('HSET', K_CTL, 'p', ARGV[4] .. '|' .. attempt .. '|' .. at .. '|' .. ARGV[5])
  return written()
elseif verb == 'log' then
  for i = 4, #ARGV do
    local n = redis.call('HINCRBY', K_CTL, 'ln', 1)
    redis.call('HSET', K_CTL, 'l:' .. n, attempt .. '|' .. at .. '|' .. ARGV[i])
    if n > CTL_LOG_LINES then
      redis.call('HDEL', K_CTL, 'l:' .. (n - CTL_LOG_LINES))
    end
  end
  return written()
elseif verb == 'set' then
  if redis.call('HEXISTS', K_CTL, 'c:' .. ARGV[4]) == 0 then
    if redis.call('HINCRBY', K_CTL, 'cn', 1) > CTL_CHECKPOINTS then
      redis.call('HINCRBY', K_CTL, 'cn', -1)
      return { CTL_FULL }
    end
  end
  redis.call('HSET', K_CTL, 'c:' .. ARGV[4], ARGV[5])
  return written()
elseif verb == 'get' then
  return { CTL_OK, redis.call('HGET', K_CTL, 'c:' .. ARGV[4]) }
elseif verb == 'once' then
  local first = redis.call('HGET', K_CTL, 'o:' .. ARGV[4])
  if first then
    return { CTL_ALREADY, first }
  end
  if redis.call('HINCRBY', K_CTL, 'on', 1) > CTL_ONCE_KEYS then
    redis.call('HINCRBY', K_CTL, 'on', -1)
    return { CTL_FULL }
  end
  redis.call('HSET', K_CTL, 'o:' .. ARGV[4], attempt)
  return written()
elseif verb == 'spawn' then
  -- The spawns of an earlier attempt (which did not end done, or this one would not run) go.
  if redis.call('HGET', K_CTL, 'sp') ~= token then
    local old = tonumber(redis.call('HGET', K_CTL, 'sn') or '0')
    for k = 1, old do
      redis.call('HDEL', K_CTL, 's:' .. k)
    end
    redis.call('HSET', K_CTL, 'sp', token, 'sn', 0)
  end
  local n = redis.call('HINCRBY', K_CTL, 'sn', 1)
  if n > CTL_SPAWNS then
    redis.call('HINCRBY', K_CTL, 'sn', -1)
    return { CTL_FULL }
  end
  redis.call('HSET', K_CTL, 's:' .. n, ARGV[4] .. '\t' .. ARGV[5] .. '\t' .. ARGV[6])
  return written()
end
return redis.error_reply('rpq: unknown ctl verb')
