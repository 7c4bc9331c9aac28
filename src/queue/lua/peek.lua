-- peek: the next tasks in claim order, untouched
-- KEYS: the common layout (common.lua)
-- ARGV[1] how many
-- returns {id, order key, record, attempts so far (its head's), ...}; the key is the pending score, or while
-- aging is on the score the task competes with now (aged priority, then arrival), as the claim
-- script's take_aged ranks them; body is false when it is missing
local n = tonumber(ARGV[1])
local _, _, aging = checks_read()
local out = {}
-- controls (issue 13): tasks of limited types may wait in their own lines; peek merges them in
-- by score (pauses and limits are not simulated: it shows the order of the waiting tasks).
local sets = ctl().waiting_sets()
if aging == 0 and #sets == 1 then
  local ids = redis.call('ZRANGE', K_PENDING, 0, n - 1, 'WITHSCORES')
  for i = 1, #ids, 2 do
    local id = ids[i]
    out[#out + 1] = id
    out[#out + 1] = ids[i + 1]
    local rec = redis.call('HGET', K_TASKS, id)
    out[#out + 1] = rec
    out[#out + 1] = rec and select(2, record_parts(rec)) or 0
  end
  return out
end
-- With aging the first n of each priority hold the first n overall: within a priority the
-- earlier arrival has waited longer, so it never ranks behind a later one.
local now = now_ms()
local all = {}
for _, set in ipairs(sets) do
  if aging == 0 then
    local ids = redis.call('ZRANGE', set, 0, n - 1, 'WITHSCORES')
    for i = 1, #ids, 2 do
      all[#all + 1] = { ids[i], ids[i + 1], redis.call('HGET', K_TASKS, ids[i]) }
    end
  end
  for p = 1, aging > 0 and 3 or 0 do
    local ids = redis.call('ZRANGEBYSCORE', set, pending_score(p, 0),
      '(' .. pending_score(p + 1, 0), 'LIMIT', '0', n, 'WITHSCORES')
    for i = 1, #ids, 2 do
      local body = redis.call('HGET', K_TASKS, ids[i])
      local rank = p
      local since = p > 1 and waiting_since(body)
      if since then
        rank = math.max(1, p - math.floor((now - since) / aging))
      end
      all[#all + 1] = { ids[i], pending_score(rank, tonumber(string.sub(ids[i + 1], 2))), body }
    end
  end
end
-- Keys have one length, so the string order is the numeric one.
table.sort(all, function(a, b)
  return a[2] < b[2]
end)
for i = 1, math.min(n, #all) do
  local e = all[i]
  out[#out + 1] = e[1]
  out[#out + 1] = e[2]
  out[#out + 1] = e[3]
  out[#out + 1] = e[3] and select(2, record_parts(e[3])) or 0
end
return out
