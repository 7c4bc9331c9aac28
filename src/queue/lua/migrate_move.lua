-- migrate_move: moves up to ARGV[2] tasks of one layout-1 set to layout 2, first in line
-- first, each to the same set and score, its record made of its body, its state (attempts,
-- place in line, last error) and, for a dead one, its reason from dead:info
-- KEYS: both layouts (migrate.lua)
-- ARGV[1] the set: pending, limited:1 .. limited:8, limited (layout 2's: KEYS[51]), scheduled,
-- delayed, dead  ARGV[2] how many
-- (at most 1,000: the arguments of one call)
-- returns {moved, duplicates (ids layout 2 knew already: dropped), without a body (dropped, as
-- layout 1 would have), left in the set}
-- A handful of calls for the whole batch (one read of each hash for every id, one write of
-- each): a step blocks the server while it runs, and a call a task made a step of 1,000 take
-- tens of milliseconds.
local what, batch = ARGV[1], tonumber(ARGV[2])
local from, to
local line = tonumber(string.match(what, '^limited:(%d)$'))
if line then
  -- Layout 2 keeps no line by number (issue 23): they wait in pending, where the next claim
  -- meets them at their place and holds them back again as their limit says.
  from, to = KEYS[18 + line], V2.pending
elseif what == 'limited' and V1_LIMITED then
  -- Held back by a limit under layout 2: in pending, the next claim holds them back again.
  from, to = V1_LIMITED, V2.pending
elseif what == 'pending' or what == 'scheduled' or what == 'delayed' or what == 'dead' then
  from, to = V1[what], V2[what]
else
  return redis.error_reply('ERR migrate_move: no set ' .. what)
end
local waiting = what == 'pending' or what == 'limited' or line ~= nil
local got = redis.call('ZRANGE', from, 0, batch - 1, 'WITHSCORES')
if #got == 0 then
  return { 0, 0, 0, 0 }
end
local ids, zscores = {}, {}
for i = 1, #got, 2 do
  ids[#ids + 1], zscores[#zscores + 1] = got[i], got[i + 1]
end
local function each(key)
  return redis.call('EXISTS', key) == 1 and redis.call('HMGET', key, unpack(ids)) or {}
end
local bodies = redis.call('HMGET', V1.tasks, unpack(ids))
local states = each(V1.state)
local infos = what == 'dead' and each(V1.deadinfo) or {}
local known = redis.call('HMGET', V2.tasks, unpack(ids))
local expiring = redis.call('EXISTS', V1.expires) == 1
local now
local moved, dup, gone = 0, 0, 0
-- What goes to layout 2, by key: {id, value, ...} for hashes, {score, id, ...} for sets.
local out = {}
local function add(key, a, b)
  local t = out[key]
  if not t then
    t = {}
    out[key] = t
  end
  t[#t + 1] = a
  t[#t + 1] = b
end
for k, id in ipairs(ids) do
  local body = bodies[k]
  local x = expiring and redis.call('ZSCORE', V1.expires, id) or nil
  if not body then
    gone = gone + 1
  elseif known[k] then
    dup = dup + 1
  else
    local n, score, err
    if states[k] then
      n, score, err = string.match(states[k], '^(%d+)|(%d+)|?(.*)$')
      n, err = tonumber(n), err ~= '' and err or nil
    end
    local set, at = to, zscores[k]
    if waiting then
      score = place(zscores[k])
    elseif what == 'scheduled' then
      score, n, err = placeholder(body), nil, nil
    elseif what == 'dead' then
      local ok, d = pcall(cjson.decode, infos[k] or '')
      if ok and type(d) == 'table' then
        err = type(d.error) == 'string' and d.error or err
        n = tonumber(d.attempts) or n
      end
      n, err, score = n or 0, err or '', score or placeholder(body)
    elseif not score then
      -- A retry whose state is gone: layout 1's claim buries it with this reason when due.
      now = now or now_ms()
      set, at, n, err, score = V2.dead, now, 0, 'retry state was lost', placeholder(body)
    end
    moved = moved + 1
    add(V2.tasks, id, HEADS and record(score, n, err, body) or body)
    add(set, at, id)
    if x then
      add(V2.expires, x, id)
    end
    if not HEADS and n ~= nil then
      local st = string.format('%d|', n) .. score
      if err and err ~= '' and set ~= V2.dead then
        st = st .. '|' .. err
      end
      add(V2.state, id, st)
      if set == V2.dead then
        add(V2.deadinfo, id, cjson.encode({ error = err or '', attempts = n }))
      end
    end
  end
end
redis.call('ZREM', from, unpack(ids))
redis.call('HDEL', V1.tasks, unpack(ids))
if #states > 0 then
  redis.call('HDEL', V1.state, unpack(ids))
end
if #infos > 0 then
  redis.call('HDEL', V1.deadinfo, unpack(ids))
end
if expiring then
  redis.call('ZREM', V1.expires, unpack(ids))
end
-- The record before the set that points at it.
if out[V2.tasks] then
  redis.call('HSET', V2.tasks, unpack(out[V2.tasks]))
end
for key, args in pairs(out) do
  if key ~= V2.tasks then
    redis.call(key == V2.state and 'HSET' or key == V2.deadinfo and 'HSET' or 'ZADD', key,
      unpack(args))
  end
end
if moved > 0 then
  if waiting then
    v2_wake(moved)
  else
    v2_check_now()
  end
end
return { moved, dup, gone, redis.call('ZCARD', from) }
