-- migrate_fold: moves one shard of stored layout 3 to layout 4 in place (issue 22, layout 3's
-- work list, step 3b; docs/layout-v2.md "From layout 3 to layout 4"). Same keys, other values:
-- each task's `state` entry ("attempts|place[|last error]") and `dead:info` entry ({error,
-- attempts}) go into its record as the head, and every record begins with its place in line:
--   layout 3: [place (16)] body            (a record moved from layout 1 or 2 has no place)
--   layout 4: place (16) [attempts|error length|error] body
-- (a body begins with `{`, a head with a digit: byte 17 tells them apart). The head is written
-- and parsed here only (split, join), and read in Rust by `stored::Record`.
-- Each call is one step, atomic; a field of `state` or `dead:info` is deleted in the step that
-- folds it, so nothing is folded twice, and a step run again finds the record as it left it.
-- KEYS (the shard's keys of LAYOUT_DIR): tasks, state, dead:info, stats, pending, limited,
--   delayed, dead, scheduled, blocked, inflight
-- ARGV[1] what: mark | tasks | inflight | left | finish
-- ARGV[2] how many at most (mark: what `checks` becomes, keys::retired_checks of the target)
-- ARGV[3] (mark, finish) the field the target layout's scripts read their checks from
-- ARGV[4] (mark) the stats note of the target layout (keys::LAYOUT_NOTE), or '' to leave it
-- ARGV[5] (mark) what the target's checks say until the finish when they are a field of their
--   own (keys::retired_checks of layout 3: the target's scripts refuse the shard until then)
local TASKS, STATE, DEADINFO, STATS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local PENDING, LIMITED, DELAYED, DEAD = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local SCHEDULED, BLOCKED, INFLIGHT = KEYS[9], KEYS[10], KEYS[11]
-- In stats: the checks layout 3 had before the mark (restored, "check now", by the finish) and
-- the cursors of the passes over `tasks` and `inflight`.
local SAVED, CURSOR = 'fold:checks', 'fold:' .. ARGV[1]
local what = ARGV[1]

-- The record's parts: place (nil when it has none), attempts and error (nil when no head),
-- body.
local function split(rec)
  if string.byte(rec, 1) == 123 then
    return nil, nil, nil, rec
  end
  local place, rest = string.sub(rec, 1, 16), string.sub(rec, 17)
  local n, len, at = string.match(rest, '^(%d+)|(%d+)|()')
  if not n then
    return place, nil, nil, rest
  end
  len = tonumber(len)
  return place, tonumber(n), string.sub(rest, at, at + len - 1), string.sub(rest, at + len)
end

local function join(place, n, err, body)
  if n == nil then
    return place .. body
  end
  err = err or ''
  return place .. string.format('%d|%d|', n, #err) .. err .. body
end

-- A score read back from a sorted set as 16 digits (rpq's scores are integers below 2^53).
local function digits(score)
  if string.match(score, '^%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d$') then
    return score
  end
  return string.format('%016.0f', tonumber(score))
end

-- The place of a task that never had one: its priority, arrival 0 (as layout 3's expire).
local function placeholder(body)
  return (string.match(body, ',"p":([1-3])') or '2') .. '000000000000000'
end

-- The layout-4 record of one task from its layout-3 values: `where` is the set it is in
-- (nil: none of them, in flight or held), `score` its score there, `member_place` the place in
-- its in-flight member. A state or dead reason with fewer attempts than a head already there
-- is older than it (written before an earlier fold) and is dropped.
local function fold(rec, st, info, where, score, member_place)
  local place, n, err, body = split(rec)
  local sn, splace, serr
  if st then
    sn, splace, serr = string.match(st, '^(%d+)|(%d+)|?(.*)$')
    sn = tonumber(sn)
  end
  local dn, derr
  if info then
    local ok, d = pcall(cjson.decode, info)
    if ok and type(d) == 'table' then
      derr = type(d.error) == 'string' and d.error or nil
      dn = tonumber(d.attempts)
    end
  end
  local hn = dn or sn
  if hn and (n == nil or hn >= n) then
    n = hn
    err = derr or (serr ~= '' and serr) or nil
  end
  -- Layout 3's authority for the place: the set a waiting task is in, the state of a task taken
  -- back, the member of one in flight; the record's own only for the rest.
  if where == PENDING or where == LIMITED or where == BLOCKED then
    place = digits(score)
  elseif member_place then
    place = digits(member_place)
  elseif where == SCHEDULED then
    place = place or placeholder(body)
  elseif splace then
    place = splace
  end
  return join(place or placeholder(body), n, err, body)
end

-- Folds `ids` (their records, states and dead reasons read in one call each), each found in
-- one of `sets` or in none; returns {records rewritten, heads written}.
local function fold_ids(ids, places)
  local recs = redis.call('HMGET', TASKS, unpack(ids))
  local sts = redis.call('HMGET', STATE, unpack(ids))
  local infos = redis.call('HMGET', DEADINFO, unpack(ids))
  local where, scores = {}, {}
  for _, set in ipairs({ PENDING, LIMITED, DELAYED, DEAD, SCHEDULED, BLOCKED }) do
    if redis.call('EXISTS', set) == 1 then
      local got = redis.call('ZMSCORE', set, unpack(ids))
      for k = 1, #ids do
        if got[k] and not where[k] then
          where[k], scores[k] = set, got[k]
        end
      end
    end
  end
  local out, gone, rewritten, heads = {}, {}, 0, 0
  for k, id in ipairs(ids) do
    local rec = recs[k]
    if rec then
      local new = fold(rec, sts[k] or nil, infos[k] or nil, where[k], scores[k],
        places and places[k])
      if new ~= rec then
        out[#out + 1] = id
        out[#out + 1] = new
        rewritten = rewritten + 1
      end
      if sts[k] or infos[k] then
        heads = heads + 1
      end
    end
    if sts[k] or infos[k] then
      gone[#gone + 1] = id
    end
  end
  if #out > 0 then
    redis.call('HSET', TASKS, unpack(out))
  end
  if #gone > 0 then
    redis.call('HDEL', STATE, unpack(gone))
    redis.call('HDEL', DEADINFO, unpack(gone))
  end
  return { rewritten, heads }
end

if what == 'mark' then
  -- Once: layout 3's scripts that queue or lease work refuse the shard from here (checks_read),
  -- and its checks are kept for the finish. Returns 1 when it marked the shard.
  if redis.call('HEXISTS', STATS, SAVED) == 1 then
    return 0
  end
  redis.call('HSET', STATS, SAVED, redis.call('HGET', STATS, 'checks') or '', 'checks', ARGV[2])
  if ARGV[3] ~= 'checks' then
    redis.call('HSET', STATS, ARGV[3], ARGV[5])
  end
  if ARGV[4] ~= '' then
    redis.call('HSET', STATS, 'layout', ARGV[4])
  end
  return 1
end

if what == 'tasks' or what == 'inflight' then
  -- One page of the pass over the records (HSCAN) or the leases (ZSCAN: while the shard is
  -- marked no lease is taken, so each one there throughout is met); returns {rewritten, heads,
  -- 1 when the pass is over}.
  local cursor = redis.call('HGET', STATS, CURSOR) or '0'
  if cursor == 'done' then
    -- Over already (a rerun after a kill later on): not walked again.
    return { 0, 0, 1 }
  end
  local ids, places = {}, {}
  local page
  if what == 'tasks' then
    page = redis.call('HSCAN', TASKS, cursor, 'COUNT', ARGV[2])
    for i = 1, #page[2], 2 do
      ids[#ids + 1] = page[2][i]
    end
    places = nil
  else
    page = redis.call('ZSCAN', INFLIGHT, cursor, 'COUNT', ARGV[2])
    for i = 1, #page[2], 2 do
      local id, place = string.match(page[2][i], '^([^\t]*)\t~?%x+|%d+|%d+|%d+|(%d+)|')
      if id then
        ids[#ids + 1], places[#places + 1] = id, place
      end
    end
  end
  local r = { 0, 0 }
  if #ids > 0 then
    r = fold_ids(ids, places)
  end
  redis.call('HSET', STATS, CURSOR, page[1] == '0' and 'done' or page[1])
  r[3] = page[1] == '0' and 1 or 0
  return r
end

if what == 'left' then
  -- Up to ARGV[2] entries of `state` and `dead:info` (a holder of layout 3 failed or released
  -- its task since the pass, or the task is gone); returns {rewritten, heads, entries left}.
  -- Each step folds what it finds from the start of each hash, and deletes it: the pages are
  -- followed until some are found, as a page of a sparse hash table may hold none.
  local n = tonumber(ARGV[2])
  local ids, seen = {}, {}
  for _, h in ipairs({ STATE, DEADINFO }) do
    local cursor = '0'
    repeat
      local page = redis.call('HSCAN', h, cursor, 'COUNT', ARGV[2])
      cursor = page[1]
      for i = 1, #page[2], 2 do
        local id = page[2][i]
        if not seen[id] then
          seen[id] = true
          ids[#ids + 1] = id
        end
      end
    until cursor == '0' or #ids >= n
  end
  local r = { 0, 0 }
  if #ids > 0 then
    r = fold_ids(ids, nil)
  end
  r[3] = redis.call('HLEN', STATE) + redis.call('HLEN', DEADINFO)
  return r
end

if what == 'finish' then
  -- Once no entry is left and no lease of layout 3 holds: `state` and `dead:info` go, and the
  -- checks of layout 3 come back as the target's, "check now" (recover at 0: the next claim
  -- recovers the leases that ended meanwhile). ARGV[2] what the mark wrote, ARGV[3] the field
  -- the target reads its checks from: when it is `checks`, layout 3's scripts are no longer
  -- refused from here (docs/layout-v2.md says why); else `checks` stays as the mark wrote it.
  -- Returns {1}, or {0} while something is left.
  if redis.call('HLEN', STATE) + redis.call('HLEN', DEADINFO) > 0 then
    return { 0 }
  end
  local t = redis.call('TIME')
  local now = t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
  if redis.call('ZCOUNT', INFLIGHT, '(' .. now, '+inf') > 0 then
    return { 0 }
  end
  -- A script of layout 3 that sets the checks without leasing (a pause, a limit, aging, events)
  -- writes them over the mark, and its process leases again: its letters are kept and the mark
  -- written again, and the shard looked at once more before it finishes.
  local now_checks = redis.call('HGET', STATS, 'checks')
  if now_checks ~= ARGV[2] then
    redis.call('HSET', STATS, SAVED, now_checks or '', 'checks', ARGV[2])
    return { 0 }
  end
  local saved = redis.call('HGET', STATS, SAVED)
  if saved then
    local p, rest = string.match(saved, '^(%d+)|%d+(.*)$')
    if p then
      redis.call('HSET', STATS, ARGV[3], p .. '|0' .. rest)
    else
      redis.call('HDEL', STATS, ARGV[3])
    end
  end
  redis.call('HDEL', STATS, SAVED, 'fold:tasks', 'fold:inflight')
  redis.call('DEL', STATE, DEADINFO)
  return { 1 }
end

return redis.error_reply('ERR migrate_fold: no step ' .. tostring(what))
