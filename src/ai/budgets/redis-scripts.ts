/**
 * The Lua scripts that make Redis reservations atomic: Redis runs a script alone, so checking
 * every budget and taking the reservation from all of them is one step for every replica.
 * A counter is a hash: spent_* and reserved_* per dimension, overruns, and what it counts (for
 * reports); it expires some time after its window ends.
 */

/**
 * KEYS: the counters. ARGV: usd, tokens, requests of the reservation, then per key: mode, the
 * limits for usd, tokens and requests ('' when unset; kept in the counter for reports), expiry (epoch ms), gateway, budget, member,
 * window start, window end. Returns {0, index, dimension, used} when a block-mode budget refuses,
 * else {1, indexes of the audit-mode budgets gone past}.
 */
export const RESERVE_SCRIPT = `
local amount = { usd = tonumber(ARGV[1]), tokens = tonumber(ARGV[2]), requests = tonumber(ARGV[3]) }
local dims = { 'usd', 'tokens', 'requests' }
local per = 10
local over = {}
for i, key in ipairs(KEYS) do
  local base = 3 + (i - 1) * per
  local held = redis.call('HMGET', key, 'spent_usd', 'reserved_usd', 'spent_tokens', 'reserved_tokens', 'spent_requests', 'reserved_requests')
  for d, dim in ipairs(dims) do
    local limit = ARGV[base + 1 + d]
    if limit ~= '' then
      local used = tonumber(held[2 * d - 1] or '0') + tonumber(held[2 * d] or '0')
      if used + amount[dim] > tonumber(limit) then
        if ARGV[base + 1] == 'block' then return { 0, i, dim, tostring(used) } end
        over[i] = true
      end
    end
  end
end
local overruns = {}
for i, key in ipairs(KEYS) do
  local base = 3 + (i - 1) * per
  redis.call('HINCRBYFLOAT', key, 'reserved_usd', ARGV[1])
  redis.call('HINCRBYFLOAT', key, 'reserved_tokens', ARGV[2])
  redis.call('HINCRBYFLOAT', key, 'reserved_requests', ARGV[3])
  redis.call('HSET', key, 'gateway', ARGV[base + 6], 'budget', ARGV[base + 7], 'member', ARGV[base + 8], 'window_start', ARGV[base + 9], 'window_end', ARGV[base + 10],
    'limit_usd', ARGV[base + 2], 'limit_tokens', ARGV[base + 3], 'limit_requests', ARGV[base + 4])
  if over[i] then
    redis.call('HINCRBY', key, 'overruns', 1)
    table.insert(overruns, i)
  end
  redis.call('PEXPIREAT', key, ARGV[base + 5])
end
return { 1, unpack(overruns) }
`;

/** KEYS: the counters. ARGV: minus the reserved usd, tokens, requests, then the actual ones. A counter that expired meanwhile is left alone. */
export const SETTLE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HINCRBYFLOAT', key, 'reserved_usd', ARGV[1])
    redis.call('HINCRBYFLOAT', key, 'reserved_tokens', ARGV[2])
    redis.call('HINCRBYFLOAT', key, 'reserved_requests', ARGV[3])
    redis.call('HINCRBYFLOAT', key, 'spent_usd', ARGV[4])
    redis.call('HINCRBYFLOAT', key, 'spent_tokens', ARGV[5])
    redis.call('HINCRBYFLOAT', key, 'spent_requests', ARGV[6])
  end
end
return 1
`;
