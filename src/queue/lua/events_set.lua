-- events_set: switch this shard's lifecycle events on or off (issue 26): the letter 'e' of the
-- checks' flags, which every claim and push reads in the HGET it makes anyway (common.lua), and
-- how many the stream keeps (the stats field 'events', read only by a script that writes one)
-- KEYS: the common layout (common.lua), then the shard's stream (events.lua)
-- ARGV[1] how many events to keep ('' switches them off, and the stream is deleted)
local pruned_at, recover_at, aging, ctl_flag, flags = checks_read()
flags = (string.gsub(flags, 'e', ''))
if ARGV[1] ~= '' then
  flags = flags .. 'e'
  redis.call('HSET', K_STATS, 'events', ARGV[1])
  redis.call('XTRIM', K_EVENTS, 'MAXLEN', '~', ARGV[1])
else
  redis.call('HDEL', K_STATS, 'events')
  redis.call('DEL', K_EVENTS)
end
stats_write(nil, nil, pruned_at, recover_at, aging, ctl_flag, flags)
return 1
