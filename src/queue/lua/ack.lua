-- ack: finish tasks held with the given token; nothing of them is left but counters
-- KEYS: the common layout (common.lua)
-- ARGV[1] consumer name  ARGV[2] unused  ARGV[3] the tasks this
-- consumer finished in earlier claims that its entry does not count yet (claim.lua's ARGV[8];
-- an ack always writes the entry)  ARGV[4..] pairs of (id, token)
-- returns one code per pair: ACK_ACKED, ACK_EARLIER, ACK_LOST or ACK_FINISHED (common.lua);
-- then OUTBOX when the acks wrote lines to the shard's outbox (flows.lua: outbox_written)
local consumer = ARGV[1]
local now = now_ms()
local out, n_done = ack_all(4)
tally(now, consumer, n_done, 0, tonumber(ARGV[3]))
if outbox_written() then
  out[#out + 1] = OUTBOX
end
return out
