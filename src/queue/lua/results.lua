-- results: read kept results, none for one past its time (issue 19: they have no TTL)
-- KEYS: the first CORE_KEYS (keys.rs) of the common layout (common.lua), then the result key
-- (keys::result) of each id, in order, then the kept zset (keys::kept)
-- ARGV: the ids
-- returns the record of each id (common.lua's keep_record), or false
local kept = KEYS[#KEYS]
local now = now_ms()
local out = {}
for i, id in ipairs(ARGV) do
  out[i] = not kept_over(kept, id, now) and redis.call('LINDEX', KEYS[CORE_KEYS + i], 0) or false
end
return out
