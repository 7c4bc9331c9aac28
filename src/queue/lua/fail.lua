-- fail: a handler failed; retry the task after a backoff, or bury it once out of attempts
-- KEYS: the common layout (common.lua)
-- ARGV[1] id  ARGV[2] token  ARGV[3] backoff ms  ARGV[4] error text  ARGV[5] dead-set cap
-- ARGV[6] "1" to bury at once whatever the attempts (a task that cannot be read)
-- ARGV[7] consumer instance (for its receipt)
-- ARGV[8] keep ms, with KEYS[LAYOUT_KEYS + 1] the task's result key (keys::result) and
-- KEYS[LAYOUT_KEYS + 2] the kept zset (keys::kept), for a task whose producer asked to keep its
-- result: a task buried here leaves its error there for `result` and `--wait`
-- returns FAIL_RETRY (scheduled for retry), FAIL_DEAD (moved to the dead set) or FAIL_LOST (the
-- lease was lost); FAIL_WAS_RETRYING or FAIL_WAS_DEAD when this instance's earlier call, its
-- reply lost, already scheduled the retry or buried it (its receipt says so); FAIL_DEAD as
-- { FAIL_DEAD, OUTBOX } when the death wrote lines to the shard's outbox (flows.lua)
local id, token, backoff, err = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local dead_cap, now_dead = tonumber(ARGV[5]), ARGV[6] == '1'
receipt_of = ARGV[7]
local _, _, m, n, score, consumer = get_claim(id)
if not holds(id, token) then
  if receipt_has(id, token) then
    -- Buried, or scheduled for a retry (which may have been claimed again since).
    return redis.call('ZSCORE', K_DEAD, id) and FAIL_WAS_DEAD or FAIL_WAS_RETRYING
  end
  return FAIL_LOST
end
local now = now_ms()
n = n or 1
unlease(id)
receipt_add(id, token)
receipt_write(now)
local last = now_dead or n >= m
-- Out of flight, retrying or dead: attempts and place in line go back to the state hash, and
-- the error with them while the task will run again (`rpq show`; a dead task has it in dead:info).
if score then
  set_state(id, n, score, not last and err or nil)
end
if ev then
  ev.write(last and 'dead' or 'retry', id, nil, n, consumer, err)
end
if last then
  tally(now, consumer, 0, 1)
  bury(id, now, err, n, dead_cap)
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
