-- debounce: `produce --id ID --debounce DUR [--keep-first]` (issue 23), the part of the push
-- script that acts on a task pushed again while it waits: a push whose due field is "~MS" (the
-- last payload wins) or "^MS" (the first stays) is due MS after it, and a task of that id still
-- waiting or scheduled moves to then, in the same script, so a burst of pushes is one run.
-- debounced(id, body, due, keep_first) -> PUSH_QUEUED, due when it moved one; PUSH_KNOWN when
-- the id is known but not waiting (in flight, retrying, dead: refused as before); nil when the
-- id is unknown (the caller pushes it, scheduled at due).
local function debounced(id, body, due, keep_first)
  local old = redis.call('HGET', K_TASKS, id)
  if not old then
    return nil
  end
  local waiting = redis.call('ZSCORE', K_PENDING, id)
  if not waiting and not redis.call('ZSCORE', K_SCHEDULED, id) then
    return PUSH_KNOWN
  end
  local due_s = string.format('%d', due)
  -- A record keeps its place in line and its head before the body (body_at).
  local at = body_at(old)
  local place = string.sub(old, 1, at - 1)
  local created = string.match(old, '^{"c":(%d+),', at) or '0'
  local new
  if keep_first then
    -- The first body, due later: its "u" moved, or put after its created time.
    local rest = string.match(old, '^{"c":%d+,"u":%d+,(.*)$', at) or string.match(old, '^{"c":%d+,(.*)$', at)
    new = place .. '{"c":' .. created .. ',"u":' .. due_s .. ',' .. rest
  else
    new = place .. '{"c":' .. created .. ',"u":' .. due_s .. ',' .. body
  end
  redis.call('HSET', K_TASKS, id, new)
  if waiting then
    -- Out of the waiting line (a group's index drops its entry when a claim meets it).
    redis.call('ZREM', K_PENDING, id)
  end
  redis.call('ZADD', K_SCHEDULED, due_s, id)
  return PUSH_QUEUED, due
end
