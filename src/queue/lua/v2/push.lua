-- v2 push: queue tasks by priority, then arrival (a batch of tasks without a time)
-- KEYS: pending, inflight (unused: the prelude names the first four in one order), tasks,
-- stats, wake
-- ARGV[1] n  then n tuples: id, priority (1..3), body after its opening brace (as v1)
-- returns {created ms, tasks queued, then the number (1..n) of each task whose id is known};
-- or, before any write, the error RPQLAYOUT (the shard is not of layout 2) or RPQFULL (a
-- promotion may be due: push_full.lua, v1's push with v2's records, does it)
-- Three calls for a whole batch besides TIME and the checks: one HMGET finds the known ids, one
-- HSET stores the new records, one ZADD lines them up (v1: one HSETNX per task).
local n = tonumber(ARGV[1])
local t = redis.call('TIME')
local now_s = t[1] .. string.sub('000' .. string.sub(t[2], 1, -4), -3)
local checks = redis.call('HGET', K_STATS, 'checks')
if not checks or string.sub(checks, 1, 1) ~= LAYOUT then
  return redis.error_reply('RPQLAYOUT ' .. (checks and 'layout 1' or 'no layout'))
end
-- "2FC|fast until|..": a push only needs to know that no promotion is due (fast until > now).
if string.sub(checks, 5, 17) <= now_s then
  return redis.error_reply('RPQFULL promotion due')
end
local ids = {}
for i = 1, n do
  ids[i] = ARGV[3 * i - 1]
end
local known = redis.call('HMGET', K_TASKS, unpack(ids))
local last = redis.call('HINCRBY', K_STATS, 'seq', ARGV[1])
local first = last - n
local prefix = '{"c":' .. now_s .. ','
-- A score is the priority, then the 15 digits of its arrival: the first 13 printed once a
-- hundred tasks, the last 2 from this table (string.format per task cost ~2,000 instructions).
local D2 = { [0] = '00', '01', '02', '03', '04', '05', '06', '07', '08', '09',
  '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24',
  '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38', '39',
  '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51', '52', '53', '54',
  '55', '56', '57', '58', '59', '60', '61', '62', '63', '64', '65', '66', '67', '68', '69',
  '70', '71', '72', '73', '74', '75', '76', '77', '78', '79', '80', '81', '82', '83', '84',
  '85', '86', '87', '88', '89', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99' }
local hi, lo = nil, 100
local hargs, zargs, out, seen = {}, {}, { now_s, 0 }, {}
for i = 1, n do
  local id = ids[i]
  if lo == 100 then
    local d = string.format('%015d', first + i)
    hi, lo = string.sub(d, 1, 13), tonumber(string.sub(d, 14))
  end
  if known[i] or seen[id] then
    out[#out + 1] = i
  else
    seen[id] = true
    local j = 3 * i - 1
    local score = ARGV[j + 1] .. hi .. D2[lo]
    hargs[#hargs + 1] = id
    hargs[#hargs + 1] = score .. prefix .. ARGV[j + 2]
    zargs[#zargs + 1] = score
    zargs[#zargs + 1] = id
  end
  lo = lo + 1
end
local queued = #zargs / 2
out[2] = queued
if queued > 0 then
  redis.call('HSET', K_TASKS, unpack(hargs))
  redis.call('ZADD', K_PENDING, unpack(zargs))
  redis.call('HINCRBY', K_STATS, 'pushed', queued)
  local have = redis.call('LLEN', KEYS[5])
  local add = math.min(queued, 64 - have)
  if add > 0 then
    local marks = {}
    for k = 1, add do
      marks[k] = '1'
    end
    redis.call('RPUSH', KEYS[5], unpack(marks))
  end
end
return out
