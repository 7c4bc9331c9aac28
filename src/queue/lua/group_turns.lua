-- group_turns: where the keys of groups sit among KEYS (groups.lua says what they hold) and
-- the fast claim's turns between groups (issue 23, docs/groups.md). Every script with groups
-- carries it before groups.lua; the fast claim carries it alone: groups.lua's library is a
-- closure of some 20 upvalues, and names common.lua's body_group, another, and what each
-- closure captures is looked up on every call (luaF_findupval, about 200 server instructions
-- an upvalue), so the fast claim builds neither.
-- After the fast claim's keys, the core keys or every key (LAYOUT_KEYS, flows' among them).
local G_BASE = 25
if string.find(KEYS[11] or '', 'gpending', -8, true) then
  G_BASE = 10
elseif string.find(KEYS[16] or '', 'gpending', -8, true) then
  G_BASE = 15
end
local K_GPENDING, K_GROUPS, K_GSTATE = KEYS[G_BASE + 1], KEYS[G_BASE + 2], KEYS[G_BASE + 3]
-- The fast claim is given these three only (keys.rs: FAST_GROUP_KEYS; a key given costs a
-- script about 1,000 server instructions): the parked groups and the rates' buckets are for
-- limits and pauses, which send a shard to claim.lua (a group is parked only while its
-- setting is in the controls hash; the buckets' key expires by itself: groups.lua, count).
local K_GPARKED, K_GTAT
if G_BASE ~= 10 then
  K_GPARKED, K_GTAT = KEYS[G_BASE + 4], KEYS[G_BASE + 5]
  assert(K_GTAT, 'rpq: the groups of a shard need their five keys')
end
-- Keys after them (the worker runtime's result keys) are numbered from here.
local GROUP_KEYS_END = G_BASE + 5

-- The fast claim's turns (claim_fast.lua: a shard with groups and no controls): up to n tasks,
-- each the head of the first group (best head priority, then smallest tag), that group moved on
-- by 10^6 / its weight, or gone with its last task. What grp().take does for n = 1, in the
-- fewest calls and numbers, without the library (each helper the library names is a closure
-- made on every call, about 1,000 server instructions apiece). A score read or written costs
-- more than the call that carries it (the server prints it, Lua reads it, Lua prints it back:
-- some 4,000 instructions for ZPOPMIN's score and the ZADD's), so no score is read here: the
-- first two groups by name (one alone is not moved: its tag only orders it against others, and
-- a group that joins starts at it, vnow, as it would at the moved one), the group's priority
-- from its head's entry, and a group moved with ZINCRBY by a step written once (its weight read
-- only when the flags say some weight was set: `weighted`). A group whose score's priority is
-- not its next head's (an entry gone by another way, controls.lua's unindex) is set right from
-- what ZINCRBY answers. Returns the ids and pending scores taken, in order, and whether no
-- group has work left: then the turns' keys are gone, and the caller drops the flag (what
-- groups.lua's idle and stop do, for a shard without controls, so without parked groups).
grp_serve = function(n, weighted)
  -- One task (no prefetch) goes back in the table of its group's range, which is made anyway:
  -- no table more.
  local popped = n > 1 and {} or nil
  local left = false
  -- Looked up once, not on each use (two table reads each, some 100 server instructions).
  local call, byte = redis.call, string.byte
  for _ = 1, 64 * n do
    local first = call('ZRANGE', K_GROUPS, '0', '1')
    local g = first[1]
    if not g then
      left = true
      break
    end
    -- From past g itself (no entry is g; an entry of a group that begins with g and goes on
    -- with a character below the tab would be between, and a group has no control character).
    local head = call('ZRANGEBYLEX', K_GPENDING, '(' .. g, '(' .. g .. '\n', 'LIMIT', '0', '2')
    local member, after = head[1], head[2]
    local took = false
    local at = #g + 2
    local p, score, id
    if member then
      local tab = string.find(member, '\t', at, true)
      score, id = string.sub(member, at, tab - 1), string.sub(member, tab + 1)
      p = byte(member, at) - 48
      call('ZREM', K_GPENDING, member)
      took = call('ZREM', K_PENDING, id) == 1
    end
    if after then
      -- The group's next head sets its priority (a stale entry is met on its turn).
      local np = byte(after, at) - 48
      local step = '0'
      if took and first[2] then
        step = '1000000'
        if weighted then
          local w = tonumber(call('HGET', K_GSTATE, 'w:' .. g) or '1') or 1
          step = string.format('%d', math.floor(1000000 / w))
        end
      end
      if np ~= p then
        step = string.format('%d', (np - p) * 1000000000000000 + tonumber(step))
      end
      if step ~= '0' then
        local now_at = call('ZINCRBY', K_GROUPS, step, g)
        if byte(now_at, 1) - 48 ~= np then
          local tag = tonumber(now_at) % 1000000000000000
          call('ZADD', K_GROUPS, string.format('%d', np * 1000000000000000 + tag), g)
        end
      end
    else
      left = not first[2]
      call('ZREM', K_GROUPS, g)
    end
    if took then
      if not popped then
        head[1], head[2] = id, score
        popped = head
        break
      end
      popped[#popped + 1] = id
      popped[#popped + 1] = score
      if #popped == 2 * n then
        break
      end
    end
  end
  if left then
    redis.call('DEL', K_GPENDING, K_GROUPS)
    redis.call('HDEL', K_GSTATE, 'V')
  end
  return popped or {}, left
end
