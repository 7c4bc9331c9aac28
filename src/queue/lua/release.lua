-- release: hand tasks back at once, at their old place in line, with no attempt counted
-- KEYS: the common layout (common.lua)
-- ARGV[1..] pairs of (id, token)
-- returns one flag per pair: 1 released, 0 the lease was lost
local out = {}
local back = 0
-- groups (issue 23): the script with groups.lua puts a task back in its group's line too.
if grp then
  grp().on = string.find(select(5, checks_read()), 'g', 1, true) ~= nil
end
for i = 1, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if holds(id, token) then
    local member = id .. '\t' .. token
    local _, _, _, n, _, score, who = member_parts(member)
    if ev then
      ev.write('released', id, nil, n, who)
    end
    unlease(id, member)
    -- No attempt counted: the record's head says the attempts before this one (none on a
    -- first attempt, which has no head unless one was left behind).
    local rec = redis.call('HGET', K_TASKS, id)
    if rec and n and n > 1 then
      set_state(id, n - 1, score, nil, rec)
    elseif rec and body_at(rec) > 17 then
      drop_head(id, score, rec)
    end
    redis.call('ZADD', K_PENDING, score, id)
    if grp then
      grp().index_id(id, score)
    end
    redis.call('HINCRBY', K_STATS, 'released', 1)
    back = back + 1
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
if back > 0 then
  wake(back)
end
return out
