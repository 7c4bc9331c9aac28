-- keep: acknowledge finished tasks and keep their results (issue 11), as ack.lua does for tasks
-- whose producer asked for none: the handler's output, for `rpq result` and a producer's --wait
-- KEYS: the whole layout (common.lua, controls.lua), then the result key (keys::result) of each
-- task, in order, then the kept zset (keys::kept)
-- ARGV[1] consumer name  ARGV[2] unused
-- ARGV[3..] per task: id, token, keep ms, result
-- returns one code per task, as ack.lua: ACK_ACKED, ACK_EARLIER, ACK_LOST or ACK_FINISHED; only a
-- task this call acknowledged gets its result kept (an earlier call's kept it already); then
-- the ids whose kept result is past its time (kept_due), for the caller's unkeep.lua; then
-- OUTBOX when the acks wrote lines to the shard's outbox (flows.lua: outbox_written)
local consumer = ARGV[1]
local kept = KEYS[N_KEYS]
local now = now_ms()
local at = string.format('%d', now)
local out = {}
local n_done = 0
for i = 3, #ARGV, 4 do
  local flag, fresh = ack(ARGV[i], ARGV[i + 1])
  out[#out + 1] = flag
  n_done = n_done + fresh
  if flag == ACK_ACKED then
    keep_record(kept, ARGV[i], KEYS[LAYOUT_KEYS + (i + 1) / 4], 'd|' .. at .. '|' .. ARGV[i + 3],
      ARGV[i + 2], now)
  end
end
tally(now, consumer, n_done, 0)
for _, id in ipairs(kept_due(kept, now)) do
  out[#out + 1] = id
end
if outbox_written() then
  out[#out + 1] = OUTBOX
end
return out
