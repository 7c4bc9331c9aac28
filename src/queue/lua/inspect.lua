-- inspect: what `rpq show` and `rpq list` print, read in one atomic step; writes nothing
-- KEYS: the common layout (common.lua)
-- ARGV[1] "show": ARGV[2] m, the number of state sets, ARGV[3..m+2] their KEYS indexes (in the
--   order of STATES, types.rs), ARGV[m+3..] ids
--   returns per id {state: 1..m, or 0 when unknown, score, record, claim}
-- ARGV[1] "list": ARGV[2] the KEYS index of the state's set (for waiting: pending, or a line
--   of tasks held back by limits)  ARGV[3] how many
--   ARGV[4] after this id ('' from the start)  ARGV[5] its score ('' when it is in this set)
--   ARGV[6] priority ('' any)  ARGV[7] type as a JSON string ('' any)
--   ARGV[8] group as its body holds it (JSON-escaped, without the quotes; '' or absent: any)
--   returns {tasks in the set (of that priority, for the waiting set), the after id's score
--   (false when it is not in the set and no score was given), 1 when members follow the last one
--   looked at, the last id looked at, its score, then id, score, record, claim per task};
--   false where a value is missing. The record's head holds attempts, last error and a dead
--   task's reason (common.lua: record_parts; Rust cuts it, stored::Record)
-- Every value is O(1) or O(log n) to find; `list` looks at 1000 members per call at most.

-- What is known of a task besides its place: its record and claim (its in-flight member, when
-- `member` is given).
local function describe(id, member)
  return redis.call('HGET', K_TASKS, id), member or false
end

-- a < b byte by byte, the order Redis gives members of equal score (Lua's < follows the locale).
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local out = {}
if ARGV[1] == 'show' then
  local m = tonumber(ARGV[2])
  for i = m + 3, #ARGV do
    local id = ARGV[i]
    local found, score, member = 0, false, nil
    for s = 1, m do
      local set = KEYS[tonumber(ARGV[s + 2])]
      local sc
      if set == K_PENDING then
        -- controls (issue 13): or the line of its limited type.
        sc = select(2, ctl().waiting_in(id))
      elseif set == K_INFLIGHT then
        member, sc = find_member(id)
      else
        sc = redis.call('ZSCORE', set, id)
      end
      if sc then
        found, score = s, sc
        break
      end
    end
    local body, claim = describe(id, member)
    if found > 0 and claim and is_cancelled(claim) then
      -- Cancelled in flight, only waiting for its holder to learn it: gone for the user.
      found = 0
    end
    for _, v in ipairs({ found, score, body, claim }) do
      out[#out + 1] = v
    end
  end
  return out
end

local set = KEYS[tonumber(ARGV[2])]
local want = tonumber(ARGV[3])
local after, after_score = ARGV[4], ARGV[5]
local p = tonumber(ARGV[6])
local kind = ARGV[7]
local group = ARGV[8] or ''
local lo, hi = 0, redis.call('ZCARD', set)
-- controls (issue 13): the tasks held back by limits wait in `limited`, scored the same.
local waiting = set == K_PENDING or set == ctl().K_LIMITED
local by_range = waiting and p ~= nil
if by_range then
  -- Waiting tasks of one priority are one range of the set: no need to look at the others.
  lo = redis.call('ZCOUNT', set, '-inf', '(' .. pending_score(p, 0))
  hi = redis.call('ZCOUNT', set, '-inf', '(' .. pending_score(p + 1, 0))
end
local start, cursor, ties = lo, false, nil
if after ~= '' then
  -- In flight, the set's members are claims that begin with the id (common.lua).
  local at = set == K_INFLIGHT and find_member(after) or after
  local r = at and redis.call('ZRANK', set, at)
  if r then
    start = math.max(lo, r + 1)
    cursor = redis.call('ZSCORE', set, at)
  elseif after_score == '' and waiting and ctl().waiting_in(after) then
    -- Waiting in another line of this shard: go on from its score, as from another shard's.
    local _, sc = ctl().waiting_in(after)
    start = math.max(lo, redis.call('ZCOUNT', set, '-inf', '(' .. sc))
    cursor, ties = sc, tonumber(sc)
  elseif after_score ~= '' then
    -- The after id lives on another shard (or left this set): go on from its score, past the
    -- members of the same score that sort before it.
    start = math.max(lo, redis.call('ZCOUNT', set, '-inf', '(' .. after_score))
    cursor, ties = after_score, tonumber(after_score)
  else
    return { hi - lo, false, 0, false, false }
  end
end

local items = {}
local r, looked, found = start, 0, 0
local last_id, last_score = false, false
while r < hi and found < want and looked < 1000 do
  local chunk = redis.call('ZRANGE', set, r, math.min(r + 99, hi - 1), 'WITHSCORES')
  if #chunk == 0 then
    break
  end
  for i = 1, #chunk, 2 do
    if found >= want or looked >= 1000 then
      break
    end
    local id, score = chunk[i], chunk[i + 1]
    local member = nil
    if set == K_INFLIGHT then
      member, id = id, string.match(id, '^[^\t]*')
    end
    r, looked = r + 1, looked + 1
    last_id, last_score = id, score
    if not (ties and tonumber(score) == ties and not before(after, id)) then
      local body, claim = describe(id, member)
      local ok = not (claim and is_cancelled(claim))
      if ok and kind ~= '' then
        ok = body and ctl().has_type(body, kind)
      end
      if ok and group ~= '' then
        -- The body's own "g" comes before its "t" (a payload's keys come after it).
        local from = body and body_at(body)
        local g = body and string.find(body, '"g":"' .. group .. '"', from, true)
        ok = g ~= nil and g < (string.find(body, '"t":', from, true) or 0)
      end
      if ok and p and not by_range then
        ok = body and body_priority(body) == p
      end
      if ok then
        for _, v in ipairs({ id, score, body, claim }) do
          items[#items + 1] = v
        end
        found = found + 1
      end
    end
  end
end
out = { hi - lo, cursor, r < hi and 1 or 0, last_id, last_score }
for _, v in ipairs(items) do
  out[#out + 1] = v
end
return out
