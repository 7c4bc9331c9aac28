-- dead: list, retry or purge dead tasks
-- KEYS: the common layout (common.lua)
-- ARGV[1] "list" | "retry" | "purge"  ARGV[2] offset (list)  ARGV[3] limit (list)
-- ARGV[2..] ids for retry and purge; none means all of them
-- list returns {id, died ms, record, ...}; retry and purge return {how many they moved,
-- each id given that was not dead...}
local op = ARGV[1]
if op == 'list' then
  local ids = redis.call('ZRANGE', K_DEAD, tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
  local out = {}
  for i = 1, #ids, 2 do
    out[#out + 1] = ids[i]
    out[#out + 1] = ids[i + 1]
    -- The record, whose head holds the reason and the attempts (Rust cuts it: stored::Record).
    out[#out + 1] = redis.call('HGET', K_TASKS, ids[i])
  end
  return out
end
-- groups (issue 23): a retried task goes back into its group's line, so a shard with groups is
-- retried by the script that carries groups.lua; this one refuses before it changes anything.
if op == 'retry' then
  local grouped = string.find(select(5, checks_read()), 'g', 1, true) ~= nil
  if grouped and not grp then
    return redis.error_reply(ERR_GROUPS .. ' the shard has groups: retry with their keys')
  end
  if grp then
    grp().on = grouped
  end
end
local ids = {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  ids = redis.call('ZRANGE', K_DEAD, 0, -1)
end
local moved = 0
local out = { 0 }
for _, id in ipairs(ids) do
  if redis.call('ZREM', K_DEAD, id) == 0 then
    out[#out + 1] = id
  else
    moved = moved + 1
    if op == 'retry' then
      local _, place, _, rec = get_state(id)
      local priority = place and priority_of(place) or 2
      if rec then
        -- A retried task starts again at the back of its priority with its attempts reset:
        -- its record without a head.
        local score = pending_score(priority, redis.call('HINCRBY', K_STATS, 'seq', 1))
        drop_head(id, score, rec)
        redis.call('ZADD', K_PENDING, score, id)
        if grp then
          grp().index_id(id, score)
        end
        -- events (issue 26): in line again, its attempts counted from 1 (no attempt here).
        if ev then
          ev.write('retry', id, nil, nil, nil, 'dead retry')
        end
      end
    else
      forget(id)
    end
  end
end
if op == 'retry' and moved > 0 then
  wake(moved)
end
out[1] = moved
return out
