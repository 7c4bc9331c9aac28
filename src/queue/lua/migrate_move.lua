-- migrate_move: moves up to ARGV[2] tasks of one layout-1 set to layout 2, first in line
-- first, each to the same set and score, its record made of its body, its state (attempts,
-- place in line, last error) and, for a dead one, its reason from dead:info
-- KEYS: both layouts (migrate.lua)
-- ARGV[1] the set: pending, limited:1 .. limited:8, scheduled, delayed, dead  ARGV[2] how many
-- returns {moved, duplicates (ids layout 2 knew already: dropped), without a body (dropped, as
-- layout 1 would have), left in the set}
local what, batch = ARGV[1], tonumber(ARGV[2])
local from, to
local line = tonumber(string.match(what, '^limited:(%d)$'))
if line then
  from, to = KEYS[18 + line], KEYS[40 + line]
elseif what == 'pending' or what == 'scheduled' or what == 'delayed' or what == 'dead' then
  from, to = V1[what], V2[what]
else
  return redis.error_reply('ERR migrate_move: no set ' .. what)
end
local waiting = what == 'pending' or line ~= nil
local now
local got = redis.call('ZRANGE', from, 0, batch - 1, 'WITHSCORES')
local moved, dup, gone = 0, 0, 0
for i = 1, #got, 2 do
  local id, zscore = got[i], got[i + 1]
  redis.call('ZREM', from, id)
  local n, score, err = v1_state(id)
  local info = what == 'dead' and redis.call('HGET', V1.deadinfo, id)
  local body, x = take_v1(id)
  if not body then
    gone = gone + 1
  else
    local set, at = to, zscore
    if waiting then
      score = place(zscore)
    elseif what == 'scheduled' then
      score, n, err = placeholder(body), nil, nil
    elseif what == 'dead' then
      local ok, d = pcall(cjson.decode, info or '')
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
    if put_v2(id, set, at, body, x, score, n, err) then
      moved = moved + 1
    else
      dup = dup + 1
    end
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
