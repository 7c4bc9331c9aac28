-- extend: push the lease deadline of tasks still held with the given token
-- KEYS: the common layout (common.lua)
-- ARGV[1] lease ms  ARGV[2] consumer name  ARGV[3..] pairs of (id, token)
-- returns one flag per pair: 1 extended, 0 the lease was lost
local lease, consumer = tonumber(ARGV[1]), ARGV[2]
local now = now_ms()
local deadline = string.format('%d', now + lease)
local out = {}
local extended = false
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if holds(id, token) then
    redis.call('ZADD', K_INFLIGHT, 'XX', deadline, id)
    extended = true
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
seen(consumer, now, 0)
if extended then
  -- A shorter lease than the claim's moves a deadline earlier: claims must not skip it.
  recover_by(now + lease)
end
return out
