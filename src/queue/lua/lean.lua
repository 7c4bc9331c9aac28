-- lean: the prelude of claim_lean.lua (layout 3's step 5, issue 22), in place of common.lua:
-- the key names and the few constants the lean claim needs, and no helper function, as every
-- `local function` of a prelude is a closure made anew on every call (script.rs: prelude;
-- about 1,500 server instructions each, and garbage for Lua's collector after it).
-- KEYS (keys.rs: LEAN_KEYS, in that order; a test holds the two together):
-- KEYS[1] pending, KEYS[2] inflight, KEYS[3] tasks, KEYS[4] stats (a task's attempts are in
--   its record's head since layout 4: claim_lean.lua's HEAD);
-- then KEYS[5] consumers when the owed field of ARGV[1] is not '' (the consumer's entry is
--   written), and taken last when its marked field is '1' (delivering marks go with the acks).
--   As common.lua describes them.
local K_PENDING, K_INFLIGHT, K_TASKS, K_STATS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- As common.lua (a test holds them to Rust's).
local ERR_FULL = 'RPQFULL'
local DELIVERED = '='
local PRUNE_EVERY_MS = 10000
