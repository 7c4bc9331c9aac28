-- extend: push the lease deadline of tasks still held with the given token; with a lease of 0,
-- only look whether they still are (a consumer learns of a cancel within a second that way);
-- with ARGV[3] '1', also mark the claims delivered: their `done` lines are about to be written
-- before their acks, so lease recovery finishes them as done, never runs them again (DELIVERED);
-- with ARGV[3] 'k', the same for tasks that keep their results, which the mark keeps at once as
-- their acks would (keep.lua): recovery of a marked task leaves its result too
-- KEYS: the common layout (common.lua); with 'k', then the result key (keys::result) of each
-- task, in order, then the kept zset (keys::kept)
-- ARGV[1] lease ms, 0 to look only  ARGV[2] consumer name  ARGV[3] '1' to mark delivered, 'k'
-- to mark and keep, or ''  ARGV[4..] pairs of (id, token); with 'k', (id, token, keep ms, result)
-- returns one code per pair: EXTEND_HELD (extended, or still held), EXTEND_LOST,
-- EXTEND_CANCELLED (`rpq cancel` stopped it; it is gone now), or, to a mark only,
-- EXTEND_DELIVERED (recovery finished it as done after an earlier mark of this claim, whose reply
-- was lost: its line is to say done) (common.lua)
local lease, consumer = tonumber(ARGV[1]), ARGV[2]
local keeping = ARGV[3] == 'k'
local mark = keeping or ARGV[3] == '1'
local step = keeping and 4 or 2
-- A look, every half second of a busy consumer, reads the claims and nothing else.
local now = lease > 0 and now_ms() or 0
local deadline = string.format('%d', now + lease)
local out = {}
local extended = false
for i = 4, #ARGV, step do
  local id, token = ARGV[i], ARGV[i + 1]
  local member = id .. '\t' .. token
  -- One ZADD XX CH both extends and tells whether the member is there (CH counts a changed
  -- score; a deadline of the same ms is looked at with ZSCORE).
  local held
  if lease > 0 then
    held = redis.call('ZADD', K_INFLIGHT, 'XX', 'CH', deadline, member) == 1 or holds(id, token)
    extended = extended or held
  else
    held = holds(id, token)
  end
  if held then
    if mark then
      mark_delivered(id, token)
    end
    if keeping then
      -- The same record as the ack's; the ack writes it again, with its own time.
      keep_record(KEYS[LAYOUT_KEYS + (#ARGV - 3) / 4 + 1], id, KEYS[LAYOUT_KEYS + i / 4],
        'd|' .. string.format('%d', now) .. '|' .. ARGV[i + 3], ARGV[i + 2], now)
    end
    out[#out + 1] = EXTEND_HELD
  elseif cancelled_for(id, token) then
    -- cancel (issue 13): the holder has learnt it, so nothing of the task needs to stay.
    unlease(id, cancelled_for(id, token))
    forget(id)
    out[#out + 1] = EXTEND_CANCELLED
  elseif mark and delivered_for(id, token) then
    out[#out + 1] = EXTEND_DELIVERED
  else
    out[#out + 1] = EXTEND_LOST
  end
end
if lease > 0 then
  seen(consumer, now, 0)
end
if extended then
  -- A shorter lease than the claim's moves a deadline earlier: claims must not skip it.
  recover_by(now + lease)
end
return out
