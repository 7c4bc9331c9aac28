-- migrate_leases: tasks in flight under layout 1 stay there while their lease holds (moving a
-- live lease would make its holder's ack fail and the task run twice); this step moves those
-- whose lease expired, as layout 1's lease recovery would have: back to their place in line
-- with the attempt counted, or to the dead set at their last attempt; a task cancelled in
-- flight goes for good, one whose outcome line was out before its holder died is done.
-- KEYS: both layouts (migrate.lua)
-- ARGV[1] how many leases at most
-- returns {back in line, dead, done, cancelled, duplicates (ids layout 2 knew already:
-- dropped), without a body (dropped), still in flight, the first deadline of those (ms, 0:
-- none), then up to 10 of their ids}
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', V1.inflight, '-inf', now, 'LIMIT', '0', ARGV[1])
local back, dead, done, cancelled, dup, gone = 0, 0, 0, 0, 0, 0
for _, id in ipairs(expired) do
  local c = redis.call('HGET', V1.claims, id)
  redis.call('ZREM', V1.inflight, id)
  redis.call('HDEL', V1.claims, id)
  redis.call('HDEL', V1.held, id)
  local m, n, score, consumer, _
  if c then
    _, _, m, n, score, consumer = string.match(c, '^([^|]*)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
    if not m then
      -- A claim of an rpq older still, with attempts and place in the state hash.
      _, _, m, consumer = string.match(c, '^([^|]*)|(%d+)|(%d+)|(.*)$')
      n, score = v1_state(id)
    end
  end
  n, m = tonumber(n), tonumber(m)
  local body, x = take_v1(id)
  if not body then
    gone = gone + 1
  elseif c and string.sub(c, 1, 1) == '~' then
    cancelled = cancelled + 1
  elseif consumer and string.sub(consumer, 1, 1) == '=' then
    done = done + 1
    redis.call('HINCRBY', V2.stats, 'done', 1)
  else
    local set, at, err = V2.pending, nil, nil
    if n == nil then
      n, err, score, set = 0, 'lease expired and its state was lost', placeholder(body), V2.dead
    elseif m ~= nil and n >= m then
      err, set = 'lease expired on attempt ' .. n .. ' of ' .. m, V2.dead
    end
    score = place(score)
    at = set == V2.dead and now or score
    if put_v2(id, set, at, body, x, score, n, err) then
      if set == V2.dead then
        dead = dead + 1
        redis.call('HINCRBY', V2.stats, 'dead', 1)
      else
        back = back + 1
        redis.call('HINCRBY', V2.stats, 'recovered', 1)
      end
    else
      dup = dup + 1
    end
  end
end
v2_wake(back)
if #expired > 0 then
  v2_check_now()
end
local out = { back, dead, done, cancelled, dup, gone, redis.call('ZCARD', V1.inflight), 0 }
local live = redis.call('ZRANGE', V1.inflight, 0, 9, 'WITHSCORES')
for i = 1, #live, 2 do
  if i == 1 then
    out[8] = tonumber(live[2])
  end
  out[#out + 1] = live[i]
end
return out
