-- ack: finish tasks held with the given token; nothing of them is left but counters
-- KEYS: the common layout (common.lua)
-- ARGV[1] consumer name  ARGV[2] consumer instance (for its receipt)  ARGV[3] the tasks this
-- consumer finished in earlier claims that its entry does not count yet (claim.lua's ARGV[8];
-- an ack always writes the entry)  ARGV[4..] pairs of (id, token)
-- returns one code per pair: ACK_ACKED, ACK_EARLIER, ACK_LOST or ACK_FINISHED (common.lua)
local consumer = ARGV[1]
receipt_of = ARGV[2]
local now = now_ms()
-- groups (issue 23): the children an ack releases (flows.lua) join their groups' lines, so a
-- shard with flows and groups is acked by the script with groups.lua, as this one says before
-- it changes anything (the checks read here are the ones flows() reads anyway).
local flags = select(5, checks_read())
flows(flags)
if string.find(flags, 'g', 1, true) and string.find(flags, 'f', 1, true) then
  if not grp then
    return redis.error_reply(ERR_GROUPS .. ' the shard has groups and flows: ack with their keys')
  end
  grp().on = true
end
local out, n_done = ack_all(4)
tally(now, consumer, n_done, 0, tonumber(ARGV[3]))
receipt_write(now)
return out
