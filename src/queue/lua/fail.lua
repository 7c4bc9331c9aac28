-- fail: a handler failed; retry the task after a backoff, or bury it once out of attempts
-- KEYS: the common layout (common.lua)
-- ARGV[1] id  ARGV[2] token  ARGV[3] backoff ms  ARGV[4] error text  ARGV[5] dead-set cap
-- ARGV[6] "1" to bury at once whatever the attempts (a task that cannot be read)
-- ARGV[7] unused (layout 2: the consumer instance of its receipt)
-- ARGV[8] keep ms, with KEYS[LAYOUT_KEYS + 1] the task's result key (keys::result) and
-- KEYS[LAYOUT_KEYS + 2] the kept zset (keys::kept), for a task whose producer asked to keep its
-- result: a task buried here leaves its error there for `result` and `--wait`
-- returns FAIL_RETRY (scheduled for retry), FAIL_DEAD (moved to the dead set) or FAIL_LOST (the
-- lease was lost); FAIL_WAS_RETRYING or FAIL_WAS_DEAD when this instance's earlier call, its
-- reply lost, already scheduled the retry or buried it (its member gone, and not taken by
-- recovery or cancel: common.lua, taken); FAIL_DEAD as
-- { FAIL_DEAD, OUTBOX } when the death wrote lines to the shard's outbox (flows.lua)
local id, token, backoff, err = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local dead_cap, now_dead = tonumber(ARGV[5]), ARGV[6] == '1'
local _, _, _, n, m, score, consumer = member_parts(id .. '\t' .. token)
if not holds(id, token) then
  -- Settled by its holder (not taken by recovery or cancel), so by this consumer's earlier
  -- call: buried, or scheduled for a retry, which may have fallen due or been claimed again
  -- since (a later attempt).
  if n and not taken(id, token) and redis.call('HEXISTS', K_TASKS, id) == 1 then
    if redis.call('ZSCORE', K_DEAD, id) then
      return FAIL_WAS_DEAD
    end
    if redis.call('ZSCORE', K_DELAYED, id) then
      return FAIL_WAS_RETRYING
    end
    local later = find_member(id)
    local again = later and select(4, member_parts(later))
    local after = get_state(id)
    if (again and again > n) or (not later and after and after >= n) then
      return FAIL_WAS_RETRYING
    end
  end
  return FAIL_LOST
end
local now = now_ms()
n = n or 1
unlease(id, id .. '\t' .. token)
local last = now_dead or n >= m
-- Out of flight, retrying: attempts, place in line and the error go into its record's head
-- (`rpq show`); dead: bury writes them, its reason as the error.
if score and not last then
  set_state(id, n, score, err)
end
if ev then
  ev.write(last and 'dead' or 'retry', id, nil, n, consumer, err)
end
if last then
  tally(now, consumer, 0, 1)
  bury(id, now, err, n, dead_cap, score)
  -- The worker runtime (issue 11): a waiting producer learns of the death at once.
  if N_KEYS > LAYOUT_KEYS then
    keep_record(KEYS[LAYOUT_KEYS + 2], id, KEYS[LAYOUT_KEYS + 1],
      'x|' .. string.format('%d', now) .. '|' .. err, ARGV[8], now)
  end
  if outbox_written() then
    return { FAIL_DEAD, OUTBOX }
  end
  return FAIL_DEAD
end
local retry_at = now + backoff
tally(now, consumer, 0, 1)
recover_by(retry_at)
redis.call('ZADD', K_DELAYED, string.format('%d', retry_at), id)
return FAIL_RETRY
