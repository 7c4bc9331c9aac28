-- fail: a handler failed; retry the task after a backoff, or bury it once out of attempts
-- KEYS: the common layout (common.lua)
-- ARGV[1] id  ARGV[2] token  ARGV[3] backoff ms  ARGV[4] error text  ARGV[5] dead-set cap
-- ARGV[6] "1" to bury at once whatever the attempts (a task that cannot be read)
-- returns FAIL_RETRY (scheduled for retry), FAIL_DEAD (moved to the dead set) or FAIL_LOST (the
-- lease was lost); without the lease, FAIL_WAS_RETRYING or FAIL_WAS_DEAD when the task is waiting
-- for a retry or dead (by this call sent before, its reply lost, or by another consumer's: only
-- the caller knows whether it resent)
local id, token, backoff, err = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local dead_cap, now_dead = tonumber(ARGV[5]), ARGV[6] == '1'
local _, _, m, n, score, consumer = get_claim(id)
if not holds(id, token) then
  if redis.call('ZSCORE', K_DELAYED, id) then
    return FAIL_WAS_RETRYING
  elseif redis.call('ZSCORE', K_DEAD, id) then
    return FAIL_WAS_DEAD
  end
  return FAIL_LOST
end
local now = now_ms()
n = n or 1
unlease(id)
local last = now_dead or n >= m
-- Out of flight, retrying or dead: attempts and place in line go back to the state hash, and
-- the error with them while the task will run again (`rpq show`; a dead task has it in dead:info).
if score then
  set_state(id, n, score, not last and err or nil)
end
if last then
  tally(now, consumer, 0, 1)
  bury(id, now, err, n, dead_cap)
  return FAIL_DEAD
end
local retry_at = now + backoff
tally(now, consumer, 0, 1)
recover_by(retry_at)
redis.call('ZADD', K_DELAYED, string.format('%d', retry_at), id)
return FAIL_RETRY
