-- extend: push the lease deadline of tasks still held with the given token; with a lease of 0,
-- only look whether they still are (a consumer learns of a cancel within a second that way);
-- with ARGV[3] '1', also mark the claims delivered: their `done` lines are about to be written
-- before their acks, so lease recovery finishes them as done, never runs them again (DELIVERED)
-- KEYS: the common layout (common.lua)
-- ARGV[1] lease ms, 0 to look only  ARGV[2] consumer name  ARGV[3] '1' to mark delivered, or ''
-- ARGV[4..] pairs of (id, token)
-- returns one code per pair: EXTEND_HELD (extended, or still held), EXTEND_LOST, or
-- EXTEND_CANCELLED (`rpq cancel` stopped it; it is gone now) (common.lua)
local lease, consumer, mark = tonumber(ARGV[1]), ARGV[2], ARGV[3] == '1'
-- A look, every half second of a busy consumer, reads the claims and nothing else.
local now = lease > 0 and now_ms() or 0
local deadline = string.format('%d', now + lease)
local out = {}
local extended = false
for i = 4, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  if holds(id, token) then
    if lease > 0 then
      redis.call('ZADD', K_INFLIGHT, 'XX', deadline, id)
      extended = true
    end
    if mark then
      mark_delivered(id)
    end
    out[#out + 1] = EXTEND_HELD
  elseif cancelled_for(id, token) then
    -- cancel (issue 13): the holder has learnt it, so nothing of the task needs to stay.
    unlease(id)
    forget(id)
    out[#out + 1] = EXTEND_CANCELLED
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
