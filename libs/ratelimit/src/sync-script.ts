import { ARGS_PER_CLAIM, HEADER_ARGS } from './sync-script-layout';

/**
 * One background sync, one round trip, atomic (Redis runs a script alone): the gateway's heartbeat,
 * then every claim of the batch (see BudgetClaim in shared-budgets.ts, BackgroundBudgets in
 * background-budgets.ts and docs/adr/0005-background-rate-limit-sync.md).
 *
 * KEYS[1] is the sorted set of gateways (score: Redis time of the last sync); KEYS[2..] the budget
 * hashes, one per client, policy and window: `c` tokens claimed, `d` gateways that declared a
 * share, `b` the window's start, `w` when an ask was last refused. Times are Redis's own
 * (`TIME`), so gateways need no clock agreement with it.
 *
 * ARGV and the reply are laid out in sync-script-layout.ts (which callers encode and decode with):
 * gateway id, heartbeat TTL ms, reserve ms, then per claim: limit, window left ms, first (0/1),
 * share, owed, release, ask. Reply: gateways, rank, then per claim: granted, claimed, window left
 * ms, contended (0/1).
 */
export const SYNC_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = ARGV[1]
local heartbeatMs = tonumber(ARGV[2])
local reserveMs = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - heartbeatMs)
redis.call('PEXPIRE', KEYS[1], heartbeatMs)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local n = #members
local rank = 0
for _, member in ipairs(members) do
  if member < id then rank = rank + 1 end
end
local reply = {n, rank}
for i = 2, #KEYS do
  local a = ${HEADER_ARGS + 1} + (i - 2) * ${ARGS_PER_CLAIM}
  local limit = tonumber(ARGV[a])
  local leftMs = tonumber(ARGV[a + 1])
  local first = ARGV[a + 2] == '1'
  local share = tonumber(ARGV[a + 3])
  local owed = tonumber(ARGV[a + 4])
  local release = tonumber(ARGV[a + 5])
  local ask = tonumber(ARGV[a + 6])
  local key = KEYS[i]
  local state = redis.call('HMGET', key, 'c', 'd', 'b', 'w')
  local claimed = tonumber(state[1])
  local declared = tonumber(state[2]) or 0
  local born = tonumber(state[3]) or now
  local refusedAt = tonumber(state[4]) or -1e15
  local fresh = claimed == nil
  claimed = claimed or 0
  local granted = 0
  local young = now - born < reserveMs
  if first then
    declared = declared + 1
    if young then
      -- On time: the share was this gateway's part of a partition of the limit.
      claimed = claimed + share
      granted = share
    elseif refusedAt < born and claimed <= limit then
      -- Late, but no ask was refused in this window: the limit is held by the gateways that
      -- declared (their shares add up to all of it), not spent. It keeps its share, over the
      -- limit by at most that share once per window (claimed then exceeds the limit, so the next
      -- late gateway and every ask wait for hand-backs); else a new gateway would be refused until
      -- its own refused ask made the holders hand back.
      claimed = claimed + share
      granted = share
    else
      -- Late in a window short of tokens: what it admitted counts; of the rest of its share it
      -- gets what is still free.
      claimed = claimed + owed
      local extra = math.max(0, math.min(share - owed, limit - claimed))
      claimed = claimed + extra
      granted = owed + extra
    end
  else
    claimed = claimed + owed - release
  end
  if ask > 0 then
    local reserved = 0
    if young and declared < n then
      -- The largest shares of the gateways yet to declare: floor(limit / n), one more for the
      -- top (limit mod n) ranks.
      local k = n - declared
      reserved = k * math.floor(limit / n) + math.min(k, limit % n)
    end
    local more = math.max(0, math.min(ask, limit - claimed - reserved))
    if more < ask then refusedAt = now end
    claimed = claimed + more
    granted = granted + more
  end
  redis.call('HSET', key, 'c', claimed, 'd', declared, 'b', born, 'w', refusedAt)
  local ttl = -1
  if not fresh then ttl = redis.call('PTTL', key) end
  if ttl < 0 then
    ttl = math.max(1, leftMs)
    redis.call('PEXPIRE', key, ttl)
  end
  local contended = 0
  if now - refusedAt < reserveMs then contended = 1 end
  reply[#reply + 1] = granted
  reply[#reply + 1] = claimed
  reply[#reply + 1] = ttl
  reply[#reply + 1] = contended
end
return reply
`;
