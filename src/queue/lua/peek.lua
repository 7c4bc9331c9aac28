-- peek: the next tasks in claim order, untouched
-- KEYS: the common layout (common.lua)
-- ARGV[1] how many
-- returns {id, score, body, attempts so far, ...}; body is false when it is missing
local ids = redis.call('ZRANGE', K_PENDING, 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  local id = ids[i]
  out[#out + 1] = id
  out[#out + 1] = ids[i + 1]
  out[#out + 1] = redis.call('HGET', K_TASKS, id)
  out[#out + 1] = get_state(id) or 0
end
return out
