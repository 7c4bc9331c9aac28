-- events (issue 26): lifecycle events, each written by the script that makes the change, into
-- the shard's capped stream (keys.rs: Keys::events), while the queue's events are on: the letter
-- 'e' of the checks' flags (common.lua). Rust gives the stream as the last of KEYS once it knows
-- they are on: a push or claim that finds the letter and no stream refuses before it changes
-- anything (ERR_EVENTS), and is sent again with it. A script given no stream builds nothing
-- here (every function below is a closure made on each call it is built in), so a queue
-- without events pays two comparisons a call. The stream is per shard: a task lives on one
-- shard, so its events are in one stream, in the order of its changes.
-- An entry: e the event, id, t type, p priority, g group, a attempt, c consumer, r reason
-- (queue/events.rs: Event::read, the one reader).
local K_EVENTS = KEYS[#KEYS]
if K_EVENTS and (#K_EVENTS ~= #K_STATS - 1 or K_EVENTS ~= string.sub(K_STATS, 1, -8) .. 'events') then
  K_EVENTS = nil
end
-- Where a script's own keys after the layout end: before the stream.
local N_KEYS = K_EVENTS and #KEYS - 1 or #KEYS
if K_EVENTS then
  -- Three closures in all (each costs a call about 1,500 server instructions): the rest is in
  -- their lines.
  local E = { on = nil, keep = nil }
  ev = E

  -- The JSON string whose opening quote is at `q` in `s`, and where it ends; nil when none.
  local function ev_json_string(s, q)
    local j = q
    repeat
      j = string.find(s, '"', j + 1, true)
      if not j then
        return nil, nil
      end
      local k = j - 1
      while string.byte(s, k) == 92 do
        k = k - 1
      end
    until (j - 1 - k) % 2 == 0
    local tok = string.sub(s, q, j)
    if string.find(tok, '\\', 1, true) then
      local ok, v = pcall(cjson.decode, '[' .. tok .. ']')
      return ok and v[1] or nil, j
    end
    return string.sub(tok, 2, -2), j
  end
  E.json_string = ev_json_string

  -- One entry. `body`: the task's stored body ({"c":..,..,"t":..,"p":..,"d":..}, common.lua),
  -- nil to read it, false for none; `attempt` a number or its digits; `extra` more field/value
  -- pairs (a control's type and priority). E.on is the letter as the caller read it with the
  -- checks (nil: read here). Rust may still give the stream of a queue whose events were
  -- switched off since: written only while the letter is there, so nothing is written to a
  -- stream `--disable` deleted.
  function E.write(event, id, body, attempt, consumer, reason, extra)
    if E.on == nil then
      local v = redis.call('HGET', K_STATS, 'checks') or ''
      E.on = string.find(string.match(v, '|(%a*)$') or '', 'e', 1, true) ~= nil
    end
    if not E.on then
      return
    end
    if E.keep == nil then
      E.keep = redis.call('HGET', K_STATS, 'events') or '100000'
    end
    if id and body == nil then
      body = redis.call('HGET', K_TASKS, id)
    end
    -- Type and priority: the head before "t" holds numbers only, so the first ,"t":" is the
    -- type's; a type with no escape in it is matched whole, with the priority after it.
    local t, p, g = nil, nil, nil
    if body then
      -- (From the body of a record on: its head's error may hold anything, body_at.)
      local from = body_at(body)
      local i = string.find(body, ',"t":"', from, true)
      if i then
        t, p = string.match(body, '^([^"\\]*)","p":([1-3])', i + 6)
        if not t then
          local at
          t, at = ev_json_string(body, i + 5)
          p = at and string.match(body, '^,"p":([1-3])', at + 1)
        end
      end
      -- A group is a field before the payload "d" (where a JSON string holds no unescaped
      -- quote, so the first ,"g":" there is the field).
      i = string.find(body, ',"g":"', from, true)
      if i and i < (string.find(body, ',"d":', from, true) or #body) then
        g = ev_json_string(body, i + 5)
      end
    end
    local a = { 'XADD', K_EVENTS, 'MAXLEN', '~', E.keep, '*', 'e', event, 'id', id, 't', t, 'p', p }
    local n = 14
    if not id then
      n = 8
    elseif not t then
      n = 10
    elseif not p then
      n = 12
    end
    if g then
      a[n + 1], a[n + 2], n = 'g', g, n + 2
    end
    if attempt then
      a[n + 1], a[n + 2], n = 'a', attempt == 1 and '1' or type(attempt) == 'number'
        and string.format('%d', attempt) or attempt, n + 2
    end
    if consumer and consumer ~= '' then
      a[n + 1], a[n + 2], n = 'c', consumer, n + 2
    end
    if reason then
      a[n + 1], a[n + 2], n = 'r', reason, n + 2
    end
    if extra then
      for _, v in ipairs(extra) do
        a[n + 1], n = v, n + 1
      end
    end
    redis.call(unpack(a, 1, n))
  end

  -- An entry for a task in flight, its attempt and consumer read from its in-flight member
  -- ("id\tlease|claimed ms|attempt|max|score|consumer", common.lua).
  function E.of_claim(event, id, claim, body, reason)
    local n, who = nil, nil
    if claim then
      n, who = string.match(claim, '^[^\t]*\t~?%x+|%d+|(%d+)|%d+|%d*|(.*)$')
    end
    E.write(event, id, body, n, who, reason)
  end
end
