-- flow_submit: `rpq flow submit` of a flow whose tasks are in several queues, or on several
-- shards of one, of one server (not a cluster): the whole flow in this one call, so all or
-- nothing (issue 24, docs/flows.md). Each part (tasks of one shard of one queue) is pushed by
-- flow_push.lua's code, or push.lua's (with groups.lua) for tasks without parents that have a
-- time or a group; each parent on another tag is told of its children by flow_link.lua's
-- and, when it is done or dead already (a task of the flow known before, by its "id"), applied to
-- them by flow_apply.lua's; and no link is left owed (flow_owed.lua's), as they are all made
-- here. Those scripts come before this body, each as a function of its own KEYS and ARGV
-- (script.rs: FLOW_SUBMIT), with its own prelude for its own shard.
-- Every part is checked (flow_push.lua up to its first write) before any is written: a refusal
-- leaves nothing.
-- KEYS: each call's keys, one call after the other, in the order of ARGV
-- ARGV[1] P, the number of parts  ARGV[2] L, the number of links
-- then for each part: its kind ('p' push.lua, 'f' flow_push.lua, 'F' flow_push.lua whose
-- shard's 'p' part is the one before it), the number of its keys, of its ARGV, then its ARGV
-- then for each link (the parents of one shard): the number of its keys (flow_link.lua's), of
-- its pairs, then for each pair: the parent's id, the child as the parent's shard knows it, the
-- part of the child (1..P), the child's id, the parent as the child's shard knows it
-- returns {{each part's reply (its script's)}, {each part's tasks released at once}}, or the
-- first part's refusal
local P, L = tonumber(ARGV[1]), tonumber(ARGV[2])
local a, k = 3, 0
local push = { p = flow_submit_plain, f = flow_submit_push, F = flow_submit_push }
local function take_keys(n)
  local t = {}
  for i = 1, n do
    t[i] = KEYS[k + i]
  end
  k = k + n
  return t
end
local parts = {}
for i = 1, P do
  local kind, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local args = {}
  for j = 1, na do
    args[j] = ARGV[a + 2 + j]
  end
  a = a + 3 + na
  parts[i] = { kind = kind, keys = take_keys(nk), args = args }
end
local links = {}
for i = 1, L do
  local nk, np = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  local l = { keys = take_keys(nk), args = { '' }, to = {} }
  for j = 1, np do
    l.args[#l.args + 1] = ARGV[a]
    l.args[#l.args + 1] = ARGV[a + 1]
    l.to[j] = { tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4] }
    a = a + 5
  end
  links[i] = l
end

-- A key of the wrong type (not rpq's) refuses the flow here too, not at the write of its part.
local TYPES = { [1] = 'ZSCORE', [3] = 'HEXISTS', [5] = 'HEXISTS', [7] = 'HEXISTS',
  [12] = 'ZSCORE', [13] = 'HEXISTS', [22] = 'ZSCORE', [23] = 'HEXISTS', [24] = 'HEXISTS',
  [25] = 'ZSCORE' }
for n, p in ipairs(parts) do
  for i, cmd in pairs(TYPES) do
    -- push.lua is sent the core keys only, the first 15.
    local r = (p.kind ~= 'p' or i <= 15) and redis.pcall(cmd, p.keys[i], '')
    if type(r) == 'table' and r.err then
      return redis.error_reply('RPQKEYTYPE key ' .. p.keys[i] .. ' is not of the type rpq keeps '
        .. 'there; rename or delete it, or use another --queue')
    end
  end
  local check = {}
  for j, v in ipairs(p.args) do
    check[j] = v
  end
  check.check = true
  if p.kind == 'F' then
    -- The tasks push.lua queues first on this shard are parents this check may name.
    local prev = parts[n - 1].args
    check.batch = {}
    for t = 1, tonumber(prev[1]) do
      check.batch[prev[3 + (t - 1) * tonumber(prev[2])]] = true
    end
  end
  local refused = push[p.kind](p.keys, check)
  if type(refused) == 'table' and refused.err then
    return refused
  end
end
local out = {}
for i, p in ipairs(parts) do
  p.args.linked = true
  out[i] = push[p.kind](p.keys, p.args)
end
-- The links after the pushes (the parents are queued or known by now): a parent done or dead
-- already goes to its child as an outbox's line would.
local apply = {}
for _, l in ipairs(links) do
  local states = flow_submit_link(l.keys, l.args)
  for j, st in ipairs(states) do
    if st == 2 or st == 3 then
      local to = l.to[j]
      local t = apply[to[1]]
      if not t then
        t = { parts[to[1]].args[2] }
        apply[to[1]] = t
      end
      t[#t + 1] = st == 2 and 'd' or 'f'
      t[#t + 1] = to[2]
      t[#t + 1] = to[3]
    end
  end
end
-- Released at once: the caller wakes the consumers of a sharded queue (Queue::wake_others),
-- which wait on shard 0's lists and not on this shard's own.
local released = {}
for i = 1, P do
  released[i] = 0
end
for i, t in pairs(apply) do
  local before = redis.call('ZCARD', parts[i].keys[1])
  flow_submit_apply(parts[i].keys, t)
  released[i] = redis.call('ZCARD', parts[i].keys[1]) - before
end
-- Made here, no link is owed: flow_push.lua wrote none (ARGV.linked), but a task known before
-- (an earlier push of the same ids, cut off before its links) may have its line.
for _, p in ipairs(parts) do
  if p.kind ~= 'p' then
    local done, args = { 'done' }, p.args
    local j = 3
    for _ = 1, tonumber(args[1]) do
      done[#done + 1] = args[j]
      j = j + 5 + tonumber(args[j + 4])
    end
    flow_submit_owed({ p.keys[24] }, done)
  end
end
return { out, released }
