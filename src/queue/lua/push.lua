-- push: queue tasks ordered by priority, then by arrival on this server
-- KEYS: the common layout (common.lua)
-- ARGV[1] n, then n triples: id, priority (1..3), body: the stored JSON object after its created
-- time, without the opening brace (`"t":..,"p":..,"d":..}`, see NewTask::body)
-- returns {created ms, flag for each task: 1 queued, 0 the id is already known}
local n = tonumber(ARGV[1])
local now = now_ms()
local last = redis.call('INCRBY', K_SEQ, n)
local out = { now }
-- The created time is the same for the whole batch: one prefix, one concatenation per task.
local prefix = '{"c":' .. string.format('%d', now) .. ','
local first = last - n
local zargs = {}
for i = 1, n do
  local j = 3 * i - 1
  local id = ARGV[j]
  if redis.call('HSETNX', K_TASKS, id, prefix .. ARGV[j + 2]) == 1 then
    zargs[#zargs + 1] = pending_score(ARGV[j + 1], first + i)
    zargs[#zargs + 1] = id
    out[i + 1] = 1
  else
    out[i + 1] = 0
  end
end
-- One ZADD per chunk of tasks rather than one per task; chunks keep unpack within Lua's stack.
local queued = #zargs / 2
for k = 1, #zargs, 1000 do
  redis.call('ZADD', K_PENDING, unpack(zargs, k, math.min(k + 999, #zargs)))
end
if queued > 0 then
  redis.call('HINCRBY', K_STATS, 'pushed', queued)
  wake(queued)
end
return out
