-- webhook_hold: whether this `serve` delivers a webhook now (one at a time, so events go out
-- in order): takes the webhook's lock when free, or extends it when it is this serve's own.
-- Loaded on its own (no common.lua): it touches only its one key.
-- KEYS[1] the webhook's lock (a string: the holder)
-- ARGV[1] this serve's holder name  ARGV[2] the lock's life in ms, 0 to let go of it
-- returns 1 when this serve holds the lock for ARGV[2] ms from now (or let go of it), 0 when
-- another holds it
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == '0' then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
  end
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
