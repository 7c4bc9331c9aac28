-- flow_unbox: removes lines of a queue's outbox once they were applied (issue 24, flows.lua),
-- each once: a line moved by two consumers at once is removed by whichever comes first.
-- Loaded without the prelude: it names only the kids hash of the shard.
-- KEYS[1] kids hash  ARGV: the lines
-- returns how many lines are left
local OUTBOX = '\30'
local v = redis.call('HGET', KEYS[1], OUTBOX)
if not v then
  return 0
end
local drop = {}
for i = 1, #ARGV do
  drop[ARGV[i]] = (drop[ARGV[i]] or 0) + 1
end
local keep = {}
for line in string.gmatch(v, '[^\n]+') do
  if (drop[line] or 0) > 0 then
    drop[line] = drop[line] - 1
  else
    keep[#keep + 1] = line
  end
end
if #keep == 0 then
  redis.call('HDEL', KEYS[1], OUTBOX)
else
  redis.call('HSET', KEYS[1], OUTBOX, table.concat(keep, '\n'))
end
return #keep
