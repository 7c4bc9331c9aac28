-- group_count: the tasks in flight of each group (issue 23: `rpq groups`, `rpq stats`), counted
-- from the in-flight set and the group each task's body names, when listed: a queue without
-- limits of groups counts nothing per group in its claims and acks, so it pays nothing for the
-- column on its hot path.
-- KEYS: every key of the layout (common.lua)
-- ARGV[1] the first to look at, ARGV[2] how many (a page of the in-flight set by lease
--   deadline: the caller pages, so that no call holds the server for long)
-- returns {looked, in flight in all, group, count, group, count, ...}: each group with tasks in
-- flight among those looked at ("" the default group)
local from, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local total = redis.call('ZCARD', K_INFLIGHT)
local ids = redis.call('ZRANGE', K_INFLIGHT, from, from + n - 1)

local counts, order = {}, {}
for _, m in ipairs(ids) do
  -- Each member is a claim that begins with its task's id (common.lua).
  local g = body_group(redis.call('HGET', K_TASKS, string.match(m, '^[^\t]*')))
  if not counts[g] then
    counts[g] = 0
    order[#order + 1] = g
  end
  counts[g] = counts[g] + 1
end
local out = { #ids, total }
for _, g in ipairs(order) do
  out[#out + 1] = g
  out[#out + 1] = counts[g]
end
return out
