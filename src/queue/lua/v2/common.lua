-- v2 common: the prelude of every layout-v2 script (docs/layout-v2.md), a prototype (issue 22).
-- Only constants and key names: no helper functions, as every `local function` of a prelude is
-- a closure made anew on every call (script.rs: prelude). The hot scripts spell out their few
-- calls themselves; the rare paths (claim_full.lua, fail, recovery) may carry helpers.
-- KEYS of the common path, in this order (a prefix of the v2 table in docs/layout-v2.md):
-- KEYS[1] pending zset: id -> P*10^15 + arrival (as v1)
-- KEYS[2] inflight zset: the claim itself as member, -> lease deadline ms:
--   "id\ttoken\tclaimed ms\tattempt\tmax attempts\tpending score\tconsumer"; an ack is one ZREM of that
--   member, which removes something only while the claim holds
-- KEYS[3] tasks hash: id -> record: the pending score (16 digits: its place in line) then the
--   body `{"c":..}` for a task never taken back; or the score, then "attempts|error length|"
--   and the error, then the body, for a task out of flight after a claim (waiting again,
--   retrying, dead)
-- KEYS[4] stats hash: 'checks' (layout version, flags, times), 'seq', counters, 'd:SEC'
-- KEYS[5] wake list (push) / consumers hash (claim)
-- KEYS[6] taken hash (claim with acks of several tasks): "id\ttoken" -> ms, the claims that
--   lease recovery or a cancel took from their holder, for a day
local K_PENDING, K_INFLIGHT, K_TASKS, K_STATS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- The stored layout this script reads and writes: 'checks' begins with it.
local LAYOUT = '2'
local ACK_LOST = 0
local ACK_ACKED = 1
local ACK_FINISHED = 2
local ACK_EARLIER = 3
