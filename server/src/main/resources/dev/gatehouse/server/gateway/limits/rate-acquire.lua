-- Takes a request's amounts from every window in KEYS, or nothing (RedisRateLimits).
-- A window is a hash: epoch second -> amount taken in that second. Fields older than 60 s are
-- deleted here; a key expires 61 s after its last write.
-- ARGV[1]: now, epoch milliseconds; then for window i: ARGV[2i] its amount, ARGV[2i+1] its limit.
-- Returns {0, the second taken in} or {i, milliseconds until window i has room}.
local nowMillis = tonumber(ARGV[1])
local now = math.floor(nowMillis / 1000)
local oldest = now - 59
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[2 * i])
  local limit = tonumber(ARGV[2 * i + 1])
  local slots = redis.call('HGETALL', key)
  local used = 0
  local bySecond = {}
  local stale = {}
  for j = 1, #slots, 2 do
    local second = tonumber(slots[j])
    if second < oldest then
      stale[#stale + 1] = slots[j]
    else
      local value = tonumber(slots[j + 1])
      used = used + value
      bySecond[second] = (bySecond[second] or 0) + value
    end
  end
  if #stale > 0 then
    redis.call('HDEL', key, unpack(stale))
  end
  -- As in RateWindow: an empty window admits even a request larger than the limit.
  if used > 0 and used + amount > limit then
    local left = used
    for second = oldest, now do
      left = left - (bySecond[second] or 0)
      if left == 0 or left + amount <= limit then
        return {i, (second + 60) * 1000 - nowMillis}
      end
    end
    return {i, (now + 60) * 1000 - nowMillis}
  end
end
local field = string.format('%d', now)
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, field, ARGV[2 * i])
  redis.call('PEXPIRE', key, 61000)
end
return {0, now}
