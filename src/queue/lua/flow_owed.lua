-- flow_owed: the links owed for children pushed with parents on other tags (issue 24,
-- flows.lua: OWED). Loaded without the prelude: it names only the kids hash of the shard.
-- KEYS[1] kids hash
-- ARGV[1] 'due': returns the children whose link is past its deadline (by this server's clock),
--   for a consumer to link them; nothing is removed until they are linked
-- ARGV[1] 'done', ARGV[2..] children now linked: their lines go; returns how many are left
local OWED = '\29'
local v = redis.call('HGET', KEYS[1], OWED)
if not v then
  return ARGV[1] == 'due' and {} or 0
end
if ARGV[1] == 'due' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local out = {}
  for at, child in string.gmatch(v, '(%d+)\t([^\n]+)') do
    if tonumber(at) > now then
      break
    end
    out[#out + 1] = child
  end
  return out
end
local drop = {}
for i = 2, #ARGV do
  drop[ARGV[i]] = true
end
local keep = {}
for line in string.gmatch(v, '[^\n]+') do
  if not drop[string.match(line, '\t(.*)$')] then
    keep[#keep + 1] = line
  end
end
if #keep == 0 then
  redis.call('HDEL', KEYS[1], OWED)
else
  redis.call('HSET', KEYS[1], OWED, table.concat(keep, '\n'))
end
return #keep
