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
  local E = {}
  ev = E
  -- Whether events are on (nil until the checks are read), and how many the stream keeps.
  local on, keep = nil, nil

  -- The flags as the caller read them with the checks.
  function E.known(flags)
    on = string.find(flags, 'e', 1, true) ~= nil
  end

  -- Rust may still give the stream of a queue whose events were switched off since: written
  -- only while the letter is there, so nothing is written to a stream `--disable` deleted.
  function E.on()
    if on == nil then
      local v = redis.call('HGET', K_STATS, 'checks') or ''
      on = string.find(string.match(v, '|(%a*)$') or '', 'e', 1, true) ~= nil
    end
    return on
  end

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

  -- Type, priority and group of a stored body (common.lua: {"c":..,..,"t":..,"p":..,"d":..}).
  -- Only the part before the payload "d" is looked at: a JSON string there holds no unescaped
  -- quote, so the first ,"t":" and ,"g":" are the fields'.
  local function ev_head(body)
    local d = string.find(body, ',"d":', 1, true) or #body
    local front = string.sub(body, 1, d)
    local t, p, g, at = nil, nil, nil, nil
    local i = string.find(front, ',"t":"', 1, true)
    if i then
      t, at = ev_json_string(front, i + 5)
      p = at and string.match(front, '^,"p":([1-3])', at + 1)
    end
    i = string.find(front, ',"g":"', 1, true)
    if i then
      g = ev_json_string(front, i + 5)
    end
    return t, p, g
  end

  -- One entry. `body`: the task's stored body, nil to read it, false for none; `attempt` a
  -- number or its digits; `extra` more field/value pairs (a control's type and priority).
  function E.write(event, id, body, attempt, consumer, reason, extra)
    if not E.on() then
      return
    end
    if keep == nil then
      keep = redis.call('HGET', K_STATS, 'events') or '100000'
    end
    local a = { 'XADD', K_EVENTS, 'MAXLEN', '~', keep, '*', 'e', event }
    if id then
      a[#a + 1], a[#a + 2] = 'id', id
      if body == nil then
        body = redis.call('HGET', K_TASKS, id)
      end
    end
    if body then
      local t, p, g = ev_head(body)
      if t then
        a[#a + 1], a[#a + 2] = 't', t
      end
      if p then
        a[#a + 1], a[#a + 2] = 'p', p
      end
      if g then
        a[#a + 1], a[#a + 2] = 'g', g
      end
    end
    if attempt then
      a[#a + 1], a[#a + 2] = 'a', type(attempt) == 'number' and string.format('%d', attempt) or attempt
    end
    -- A consumer whose task's line is out (common.lua: DELIVERED) is named without the mark.
    if consumer and string.sub(consumer, 1, 1) == '=' then
      consumer = string.sub(consumer, 2)
    end
    if consumer and consumer ~= '' then
      a[#a + 1], a[#a + 2] = 'c', consumer
    end
    if reason then
      a[#a + 1], a[#a + 2] = 'r', reason
    end
    for _, v in ipairs(extra or {}) do
      a[#a + 1] = v
    end
    redis.call(unpack(a))
  end

  -- The fields of a control's type, given JSON-encoded ('': every task, none).
  function E.type_field(enc)
    local t = enc ~= '' and ev_json_string(enc, 1)
    return t and { 't', t } or {}
  end

  -- An entry for a task in flight, its attempt and consumer read from its claim ("token|claimed
  -- ms|max|attempt|score|consumer", a cancelled one after '~', a delivered consumer after '=').
  function E.of_claim(event, id, claim, body, reason)
    local n, who = nil, nil
    if claim then
      n, who = string.match(claim, '^[^|]*|%d+|%d+|(%d+)|%d*|(.*)$')
    end
    E.write(event, id, body, n, who, reason)
  end
end
