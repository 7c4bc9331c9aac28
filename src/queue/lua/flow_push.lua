-- flow_push: queue tasks of which some wait for other tasks (issue 24, `produce --after`,
-- `flow submit`); push.lua queues the others. A task whose parents are all done waits at once;
-- else it is blocked (flows.lua) until the last of them is done. All or nothing: every parent is
-- looked at before anything is written, and a parent the shard does not know refuses the push.
-- KEYS: the whole layout (common.lua, controls.lua, flows.lua), then the result key
-- (keys::result) of each parent, in the order ARGV names them, then the kept zset (keys::kept)
-- ARGV[1] n  ARGV[2] dead-set cap
-- then n tuples: id, priority (1..3), body (as push.lua's, with the parents as "a"), what a
-- parent's failure does to it ('' dead, 'run', 'cancel'), the number of parents, the parents
-- returns {created ms, flag for each task as push.lua (PUSH_QUEUED or PUSH_KNOWN), 1 when this
-- push began the queue's count of pushes}; or the error RPQUNKNOWN and the parent's id
local n, dead_cap = tonumber(ARGV[1]), tonumber(ARGV[2])
local now, now_s = now_ms()
local kept = KEYS[#KEYS]
-- ARGV.batch (flow_submit.lua's check): ids of this shard that the same call queues first.
local tasks, batch = {}, ARGV.batch or {}
local j, r = 3, LAYOUT_KEYS
local linked = false
for i = 1, n do
  local t = { id = ARGV[j], p = ARGV[j + 1], body = ARGV[j + 2], policy = ARGV[j + 3] }
  local np = tonumber(ARGV[j + 4])
  j = j + 5
  linked = linked or np > 0
  -- Each parent: 'wait' (not finished yet), 'ran' (finished in the window), 'done' (known
  -- by its kept result) or 'dead'.
  t.parents, t.seen = {}, {}
  for _ = 1, np do
    local parent = ARGV[j]
    j, r = j + 1, r + 1
    local st
    if batch[parent] or string.find(parent, REMOTE, 1, true) then
      -- Of this push, or of another queue ("queue\31id", flows.lua): its own queue was asked
      -- before, and is told of this child after (flow_link.lua).
      st = 'wait'
    elseif redis.call('ZSCORE', K_FINISHED_AT, parent) then
      st = 'ran'
    elseif redis.call('HEXISTS', K_TASKS, parent) == 1 then
      st = redis.call('ZSCORE', K_DEAD, parent) and 'dead' or 'wait'
    else
      -- Finished before the shard had flows, or longer ago than the window: its kept result.
      local rec = redis.call('LINDEX', KEYS[r], 0)
      if rec and not kept_over(kept, parent, now) then
        st = string.sub(rec, 1, 1) == 'd' and 'done' or 'dead'
      end
    end
    if not st then
      return redis.error_reply(ERR_UNKNOWN_PARENT .. ' ' .. parent)
    end
    if not t.seen[parent] then
      t.seen[parent] = true
      t.parents[#t.parents + 1] = { parent, st }
    end
  end
  batch[t.id] = true
  tasks[i] = t
end
-- flow_submit.lua checks every part of a flow before it writes any (its ARGV.check).
if ARGV.check then
  return false
end

-- Roots with children elsewhere turn flows on (a run of a flow: its end before its children's
-- link is known then), but not when flow_submit.lua links them in the same call (ARGV.linked):
-- flow_link.lua turns it on for those with children, and the flag would send the claims of a
-- shard given only roots the long way until it is pruned.
if linked or not ARGV.linked then
  flows(nil, true).enable()
end
flows(nil, true).dead_cap = dead_cap
local first = redis.call('HINCRBY', K_STATS, 'seq', n) - n
local prefix = '{"c":' .. now_s .. ','
local out = { now }
local queued, at_once = 0, 0
for i, t in ipairs(tasks) do
  -- The record begins with the task's place in line (layout 3's work list, step 3).
  local score = pending_score(t.p, first + i)
  if redis.call('HSETNX', K_TASKS, t.id, score .. prefix .. t.body) == 0 then
    out[i + 1] = PUSH_KNOWN
  else
    out[i + 1] = PUSH_QUEUED
    queued = queued + 1
    if ev then
      ev.write('pushed', t.id, prefix .. t.body)
    end
    local waits, dead = {}, nil
    for _, ps in ipairs(t.parents) do
      if ps[2] == 'wait' then
        waits[#waits + 1] = ps[1]
      elseif ps[2] == 'ran' then
        -- Downstream of a parent finished in the window all the same (flow_cancel.lua).
        local f = ps[1] .. '\t+'
        local v = redis.call('HGET', K_KIDS, f)
        redis.call('HSET', K_KIDS, f, v and v .. '\t' .. t.id or t.id)
      elseif ps[2] == 'dead' and t.policy ~= 'run' then
        dead = dead or ps[1]
      end
    end
    if dead and t.policy == 'cancel' then
      if ev then
        ev.write('cancelled', t.id, prefix .. t.body, nil, nil, 'parent ' .. dead .. ' dead')
      end
      forget(t.id)
    elseif dead then
      if ev then
        ev.write('dead', t.id, prefix .. t.body, nil, nil, 'parent ' .. dead .. ' dead')
      end
      -- (Its record's place, just written, has its priority, for `dead retry`.)
      bury(t.id, now, 'parent ' .. dead .. ' dead', 0, dead_cap)
    elseif #waits == 0 then
      redis.call('ZADD', K_PENDING, score, t.id)
      at_once = at_once + 1
    else
      redis.call('ZADD', K_BLOCKED, score, t.id)
      local hargs = { t.id, string.format('%d', #waits) }
      for _, p in ipairs(waits) do
        hargs[#hargs + 1] = t.id .. '\t' .. p
        hargs[#hargs + 1] = '1'
      end
      if t.policy ~= '' then
        hargs[#hargs + 1] = t.id .. '\t!'
        hargs[#hargs + 1] = t.policy
      end
      call_list('HSET', K_WAITS, hargs)
      local owed = false
      for _, p in ipairs(waits) do
        if not string.find(p, REMOTE, 1, true) then
          local v = redis.call('HGET', K_KIDS, p)
          redis.call('HSET', K_KIDS, p, v and v .. '\t' .. t.id or t.id)
        else
          owed = true
        end
      end
      -- Its producer links it on its parents' tags next; should it die first, a consumer does.
      -- (flow_submit.lua links it in the same call: nothing is owed, ARGV.linked.)
      if owed and not ARGV.linked then
        flows().owe(t.id, now)
      end
    end
  end
end
local fresh = 0
if queued > 0 then
  fresh = redis.call('HINCRBY', K_STATS, 'pushed', queued) == queued and 1 or 0
  if fresh == 1 then
    redis.call('HSETNX', K_STATS, 'layout', LAYOUT_NOTE)
  end
  if at_once > 0 then
    wake(at_once)
  end
end
out[#out + 1] = fresh
return out
