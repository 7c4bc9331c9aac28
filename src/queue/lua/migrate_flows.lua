-- migrate_flows: the groups and flows of a shard of layout 2, moved by migrate_finish in the
-- same script as the rest of the shard's end (docs/layout-v2.md, "Where the branch is", 2).
-- It runs once layout 2 holds no task in any set and no lease: a group's tasks in flight are
-- counted in layout 2's held hash until their leases end (as busy:S of controls), so only
-- then are layout 3's counts (its own leases') the whole count, and nothing of layout 2 can
-- still write a group's line or a child's wait. Every waiting task is in layout 3's pending at
-- its place already, so layout 2's entries of its groups' lines are right as they are; an
-- entry whose task was claimed meanwhile is dropped by the claim that meets it, as any stale
-- entry. The blocked tasks are in no set the other steps move: their records move here.
-- KEYS[55..63] layout 2's gpending, groups, gstate, gparked, gtat, blocked, waits, kids,
--   finished; KEYS[64..72] layout 3's (migrate.rs: V2_GROUP_FLOW, NEW_GROUP_FLOW); none when
--   moving from layout 1
local function move_groups_and_flows()
  if #KEYS < 72 then
    return
  end
  local o = { gpending = KEYS[55], groups = KEYS[56], gstate = KEYS[57], gparked = KEYS[58],
    gtat = KEYS[59], blocked = KEYS[60], waits = KEYS[61], kids = KEYS[62], finished = KEYS[63] }
  local n = { gpending = KEYS[64], groups = KEYS[65], gstate = KEYS[66], gparked = KEYS[67],
    gtat = KEYS[68], blocked = KEYS[69], waits = KEYS[70], kids = KEYS[71], finished = KEYS[72] }
  -- A sorted set added to layout 3's, a member in both keeping the score `how` says (LT: the
  -- lower, GT: the higher). ZADD, not ZUNIONSTORE: running.md's ACL line grants no more.
  local function merge_zset(from, to, how)
    local got = redis.call('ZRANGE', from, 0, -1, 'WITHSCORES')
    for i = 1, #got, 2000 do
      local args = {}
      for k = i, math.min(i + 1999, #got), 2 do
        args[#args + 1] = got[k + 1]
        args[#args + 1] = got[k]
      end
      redis.call('ZADD', to, how, unpack(args))
    end
  end
  -- Settings made under layout 3 since the mark win over layout 2's.
  local function merge_hash(from, to, join)
    local fs = redis.call('HGETALL', from)
    for i = 1, #fs, 2 do
      local have = join and redis.call('HGET', to, fs[i])
      if have then
        redis.call('HSET', to, fs[i], have .. join(fs[i]) .. fs[i + 1])
      else
        redis.call('HSETNX', to, fs[i], fs[i + 1])
      end
    end
  end
  merge_zset(o.gpending, n.gpending, 'LT')
  merge_zset(o.groups, n.groups, 'LT')
  local parked = redis.call('ZRANGE', o.gparked, 0, -1)
  merge_zset(o.gparked, n.gparked, 'GT')
  merge_zset(o.gtat, n.gtat, 'GT')
  if redis.call('EXISTS', n.gtat) == 1 then
    -- As groups.lua's count: the key goes when its last bucket is full again.
    local last = redis.call('ZRANGE', n.gtat, -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', n.gtat, string.format('%d', math.ceil(tonumber(last[2])) + 1))
  end
  merge_hash(o.gstate, n.gstate)
  -- A group parked at its cap counted layout 2's leases, all ended now, and a slot freed
  -- under layout 3 does not bring back a group its held hash never marked: the next claim
  -- looks at it again (and parks it again if its rate says so). A paused one stays.
  for _, g in ipairs(parked) do
    if redis.call('HEXISTS', n.gstate, 'z:' .. g) == 0 then
      redis.call('ZADD', n.gparked, '0', g)
    end
  end
  -- The blocked tasks, with their records (and state, expiry) as the other steps move them.
  local blocked = redis.call('ZRANGE', o.blocked, 0, -1, 'WITHSCORES')
  local timed = false
  for i = 1, #blocked, 2 do
    local id = blocked[i]
    local body, x = take_v1(id)
    if body and redis.call('HSETNX', V2.tasks, id, body) == 1 then
      redis.call('ZADD', n.blocked, blocked[i + 1], id)
      if x then
        redis.call('ZADD', V2.expires, x, id)
        timed = true
      end
    end
  end
  if timed then
    v2_check_now()
  end
  merge_hash(o.waits, n.waits)
  -- A parent's children are tab-joined; the outbox ("\30") and the owed links ("\29") are
  -- lines.
  merge_hash(o.kids, n.kids, function(f)
    return (f == '\30' or f == '\29') and '\n' or '\t'
  end)
  merge_zset(o.finished, n.finished, 'GT')
  -- The checks' letters that layout 3's scripts look for (common.lua: checks_read); the mark
  -- wrote layout 2's checks over, so they are told by the keys.
  local letters = ''
  if redis.call('EXISTS', n.gpending) == 1 or redis.call('EXISTS', n.groups) == 1
    or redis.call('EXISTS', n.gparked) == 1 then
    letters = letters .. 'g'
  end
  local st = redis.call('HKEYS', n.gstate)
  for _, f in ipairs(st) do
    if string.sub(f, 1, 2) == 'w:' then
      letters = letters .. 'w'
      break
    end
  end
  if redis.call('EXISTS', n.blocked, n.waits, n.kids, n.finished) > 0 then
    letters = letters .. 'f'
  end
  local c = redis.call('HGET', V2.stats, 'checks') or '0|0'
  local p, r, a, ctl, f = string.match(c, '^(%d+)|(%d+)|?(%d*)|?(%d*)|?(%a*)$')
  if p then
    for k = 1, #letters do
      local l = string.sub(letters, k, k)
      if not string.find(f, l, 1, true) then
        f = f .. l
      end
    end
    if f ~= '' then
      redis.call('HSET', V2.stats, 'checks', p .. '|' .. r .. '|' .. (a ~= '' and a or '0') .. '|'
        .. (ctl ~= '' and ctl or '0') .. '|' .. f)
    end
  end
  for k = 55, 63 do
    redis.call('DEL', KEYS[k])
  end
end
