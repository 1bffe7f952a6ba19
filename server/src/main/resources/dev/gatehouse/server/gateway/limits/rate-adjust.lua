-- Corrects an earlier acquisition in every window in KEYS (RedisRateLimits).
-- ARGV[1]: the epoch second it was taken in; ARGV[2]: the current epoch second; then one delta per key.
-- A positive delta is added to the current second; a negative one is taken off the acquisition's
-- second while that slot is still there, never below 0.
for i, key in ipairs(KEYS) do
  local delta = tonumber(ARGV[i + 2])
  if delta > 0 then
    redis.call('HINCRBY', key, ARGV[2], ARGV[i + 2])
    redis.call('PEXPIRE', key, 61000)
  elseif delta < 0 then
    local value = tonumber(redis.call('HGET', key, ARGV[1]) or '0')
    if value > 0 then
      redis.call('HSET', key, ARGV[1], string.format('%d', math.max(0, value + delta)))
    end
  end
end
return 0
