-- flow_link: tells a parent's queue of children in another queue (issue 24, docs/flows.md:
-- across queues). Sent after the children were pushed blocked on their own tag (push before
-- link: a parent that ends between the two then finds its child there to count down), or as a
-- look only before that push, so that an unknown parent refuses it before anything is written.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua), then the result key
-- (keys::result) of each parent, in the order ARGV names them, then the kept zset (keys::kept)
-- ARGV[1] '1' to look only, else ''
-- ARGV[2..] pairs of (parent id, the child as "queue\31id")
-- returns per pair: 0 unknown, 1 not finished (and the child is now among its kids), 2 done
-- (in the finished window, or by its kept result), 3 dead
local look = ARGV[1] == '1'
local kept = KEYS[#KEYS]
local now = now_ms()
local out = {}
local r = LAYOUT_KEYS
for i = 2, #ARGV, 2 do
  local parent, child = ARGV[i], ARGV[i + 1]
  r = r + 1
  local st = 0
  if redis.call('ZSCORE', K_FINISHED_AT, parent) then
    st = 2
  elseif redis.call('HEXISTS', K_TASKS, parent) == 1 then
    st = redis.call('ZSCORE', K_DEAD, parent) and 3 or 1
  else
    local rec = redis.call('LINDEX', KEYS[r], 0)
    if rec and not kept_over(kept, parent, now) then
      st = string.sub(rec, 1, 1) == 'd' and 2 or 3
    end
  end
  if st == 1 and not look then
    -- Its end must go through flows.lua now: the shard's acks then read its kids.
    flows(nil, true).enable()
    local v = redis.call('HGET', K_KIDS, parent)
    redis.call('HSET', K_KIDS, parent, v and v .. '\t' .. child or child)
  end
  out[#out + 1] = st
end
return out
