-- ctl_ack: acknowledge one finished task that used `rpq ctl` (issue 25), as ack.lua (or keep.lua)
-- does, and in the same step queue the children its attempt spawned (staged in its control hash
-- by ctl_op.lua with this claim's token) and delete the control hash. A consumer sends it only
-- for the tasks whose handlers called ctl, so a queue whose handlers never do pays nothing. Sent
-- again after a lost reply, the ack is found done (ACK_EARLIER: its member gone, not taken by recovery or cancel) and nothing is
-- queued twice: the children were queued, and the hash deleted, by the call that acked.
-- KEYS: the whole layout (common.lua, controls.lua), then the task's control hash, then, for a
-- task that keeps its result, its result key and the kept zset (as keep.lua)
-- ARGV[1] consumer name  ARGV[2] unused  ARGV[3] id  ARGV[4] token
-- ARGV[5] keep ms ('' when its result is not kept)  ARGV[6] result
-- returns {ACK_* code (common.lua), children queued}
local consumer = ARGV[1]
local id, token, keep_ms = ARGV[3], ARGV[4], ARGV[5]
local K_CTL = KEYS[LAYOUT_KEYS + 1]
local now = now_ms()
local staged = {}
if redis.call('HGET', K_CTL, 'sp') == token then
  local n = tonumber(redis.call('HGET', K_CTL, 'sn') or '0')
  for k = 1, n do
    staged[#staged + 1] = redis.call('HGET', K_CTL, 's:' .. k)
  end
end
local flag, fresh = ack(id, token)
local queued = 0
if flag == ACK_ACKED then
  for _, s in ipairs(staged) do
    local p, child, body = string.match(s, '^(%d)\t([^\t]+)\t(.*)$')
    if p and enqueue(child, p, body, now, nil, 0) == PUSH_QUEUED then
      queued = queued + 1
    end
  end
  if queued > 0 then
    redis.call('HINCRBY', K_STATS, 'pushed', queued)
    wake(queued)
  end
  if keep_ms ~= '' then
    keep_record(KEYS[LAYOUT_KEYS + 3], id, KEYS[LAYOUT_KEYS + 2],
      'd|' .. string.format('%d', now) .. '|' .. ARGV[6], keep_ms, now)
  end
  redis.call('DEL', K_CTL)
end
tally(now, consumer, fresh, 0)
return { flag, queued }
