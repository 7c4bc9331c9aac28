-- push: queue tasks ordered by priority, then by arrival on this server
-- KEYS: the common layout (common.lua)
-- ARGV[1] n, then n triples: id, priority (1..3), body (a JSON object without its created time)
-- returns {created ms, flag for each task: 1 queued, 0 the id is already known}
local n = tonumber(ARGV[1])
local now = now_ms()
local last = redis.call('INCRBY', K_SEQ, n)
local out = { now }
local queued = 0
for i = 0, n - 1 do
  local id, priority, body = ARGV[2 + 3 * i], ARGV[3 + 3 * i], ARGV[4 + 3 * i]
  local stored = '{"c":' .. string.format('%d', now) .. ',' .. string.sub(body, 2)
  if redis.call('HSETNX', K_TASKS, id, stored) == 1 then
    redis.call('ZADD', K_PENDING, pending_score(priority, last - n + 1 + i), id)
    queued = queued + 1
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
if queued > 0 then
  redis.call('HINCRBY', K_STATS, 'pushed', queued)
  wake(queued)
end
return out
