-- unkeep: remove kept results past their time (keep.lua's kept_due found them; issue 19)
-- KEYS: the first CORE_KEYS (keys.rs) of the common layout (common.lua), then the result key
-- (keys::result) of each id, in order, then the kept zset (keys::kept)
-- ARGV: the ids
-- returns how many results went: only those still past their time (a result kept again since
-- has a later time, and stays)
local kept = KEYS[#KEYS]
local now = now_ms()
local gone = 0
for i, id in ipairs(ARGV) do
  if kept_over(kept, id, now) then
    redis.call('DEL', KEYS[CORE_KEYS + i])
    redis.call('ZREM', kept, id)
    gone = gone + 1
  end
end
return gone
