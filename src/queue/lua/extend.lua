-- extend: push the lease deadline of tasks still held with the given token
-- KEYS: the common layout (common.lua)
-- ARGV[1] lease ms  ARGV[2] consumer name  ARGV[3..] pairs of (id, token)
-- returns one flag per pair: 1 extended, 0 the lease was lost
local lease, consumer = tonumber(ARGV[1]), ARGV[2]
local now = now_ms()
local out = {}
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if holds(id, token) then
    redis.call('ZADD', K_INFLIGHT, 'XX', now + lease, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
seen(consumer, now, 0)
return out
