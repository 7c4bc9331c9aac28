-- flow_link: tells a parent's queue of children in another queue (issue 24, docs/flows.md:
-- across queues). Sent before the children are pushed (a look: an unknown parent refuses the
-- push before anything is written), and again after they were pushed blocked on their own tag.
-- The look links the children already when every parent it names is known: the parent's shard
-- then has flows, so a parent that ends before the push is known there as finished for the
-- window (the producer's link after the push, or the consumer that links a child whose
-- producer died in between, flows.lua: OWED, finds it done); its end finds no child to count
-- down yet, and that line does nothing. A child is among a parent's kids once however often
-- it is linked.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua), then the result key
-- (keys::result) of each parent, in the order ARGV names them, then the kept zset (keys::kept)
-- ARGV[1] '1' for the look before the push, '2' for parents the same push queues on other
-- shards (linked before the push, not looked at: each is taken as not finished), else ''
-- ARGV[2..] pairs of (parent id, the child as "queue\31id")
-- returns per pair: 0 unknown, 1 not finished (and the child is now among its kids, unless a
-- parent of the look was unknown), 2 done (in the finished window, or by its kept result), 3 dead
local look, early = ARGV[1] == '1', ARGV[1] == '2'
local kept = KEYS[#KEYS]
local now = now_ms()
local out = {}
local r = LAYOUT_KEYS
local known = true
for i = 2, #ARGV, 2 do
  local parent = ARGV[i]
  r = r + 1
  local st = 0
  if early then
    st = 1
  elseif redis.call('ZSCORE', K_FINISHED_AT, parent) then
    st = 2
  elseif redis.call('HEXISTS', K_TASKS, parent) == 1 then
    st = redis.call('ZSCORE', K_DEAD, parent) and 3 or 1
  else
    local rec = redis.call('LINDEX', KEYS[r], 0)
    if rec and not kept_over(kept, parent, now) then
      st = string.sub(rec, 1, 1) == 'd' and 2 or 3
    end
  end
  known = known and st ~= 0
  out[#out + 1] = st
end
if look and not known then
  return out
end
for k, st in ipairs(out) do
  if st == 1 then
    local parent, child = ARGV[2 * k], ARGV[2 * k + 1]
    -- Its end must go through flows.lua now: the shard's acks then read its kids.
    flows(nil, true).enable()
    local v = redis.call('HGET', K_KIDS, parent)
    if not v then
      redis.call('HSET', K_KIDS, parent, child)
    elseif not string.find('\t' .. v .. '\t', '\t' .. child .. '\t', 1, true) then
      redis.call('HSET', K_KIDS, parent, v .. '\t' .. child)
    end
  end
end
return out
