-- report: what a consumer says of itself and what it ran since its last report (issue 28), about
-- once a second from a thread of its own; never part of a claim or an ack. Loaded on its own
-- (no common.lua): it touches only the keys below, all in shard 0's hash tag.
-- KEYS[1] meta  KEYS[2] workers hash  KEYS[3] usage hash  KEYS[4] this minute's usage hash
-- ARGV[1] consumer name  ARGV[2] its JSON  ARGV[3] forget entries whose JSON "seen_at" is
-- before this ms (0: no pruning)  ARGV[4] seconds the minute hash lives  ARGV[5] fields the usage
-- hash may hold before fields it lacks are dropped  ARGV[6] n usage pairs, then n pairs of
-- (field, increment) for the usage hash, then pairs for the minute hash to the end
-- returns 1 when written, 0 when the queue does not exist (queue hygiene: a consumer on a
-- typo'd name leaves no key behind)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local cutoff = tonumber(ARGV[3])
if cutoff > 0 then
  -- Bounded by the consumers of the last day: each prunes once, when it starts.
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local ok, w = pcall(cjson.decode, all[i + 1])
    local seen = ok and type(w) == 'table' and tonumber(w['seen_at']) or 0
    if seen < cutoff then
      redis.call('HDEL', KEYS[2], all[i])
    end
  end
end
local n = tonumber(ARGV[6])
local full = redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[5])
for i = 7, 6 + 2 * n, 2 do
  -- A full hash takes increments of the fields it has only: new types wait for room.
  if not full or redis.call('HEXISTS', KEYS[3], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1])
  end
end
if #ARGV > 6 + 2 * n then
  for i = 7 + 2 * n, #ARGV, 2 do
    redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', KEYS[4], ARGV[4])
end
return 1
