// The sync script's keys, arguments and reply, laid out in one place: the Redis client
// (redis-limits.ts) and the unit tests' in-memory ledger (budget-ledger.fixture.ts) both go
// through these four functions, the script (sync-script.ts) reads the same positions, and
// test/e2e/ratelimit-sync-script.e2e-spec.ts runs the script and the ledger on the same calls.
import type { BudgetClaim, BudgetGrant, SyncReply, SyncRequest } from './shared-budgets';

/** The sorted set of gateways that synchronise in the background (their heartbeats): KEYS[1]. */
const GATEWAYS_KEY = 'ratelimit:gateways';

/** ARGV before the claims: gateway id, heartbeat TTL ms, reserve ms. */
export const HEADER_ARGS = 3;
/** ARGV per claim, in this order: limit, window left ms, first (0/1), share, owed, release, ask. */
export const ARGS_PER_CLAIM = 7;
/** Reply before the grants: gateways, rank. */
const HEADER_REPLY = 2;
/** Reply per claim, in this order: granted, claimed, window left ms, contended (0/1). */
const REPLY_PER_CLAIM = 4;

/** One call of the script: KEYS (the gateways set, then one budget key per claim) and ARGV. */
interface SyncCall {
  keys: string[];
  args: Array<string | number>;
}

export function encodeSyncCall(request: SyncRequest): SyncCall {
  const keys = [GATEWAYS_KEY];
  const args: Array<string | number> = [
    request.gatewayId,
    request.heartbeatTtlMs,
    request.reserveMs,
  ];
  for (const claim of request.claims) {
    keys.push(claim.key);
    args.push(
      claim.limit,
      // Redis takes whole milliseconds, and a TTL of at least 1.
      Math.max(1, Math.ceil(claim.windowLeftMs)),
      claim.first ? 1 : 0,
      claim.share,
      claim.owed,
      claim.release,
      claim.ask,
    );
  }
  return { keys, args };
}

/** What the script reads from a call (arguments arrive as strings, as Redis passes them). */
export function decodeSyncCall(
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): SyncRequest {
  const claimCount = keys.length - 1;
  if (claimCount < 0 || args.length !== HEADER_ARGS + claimCount * ARGS_PER_CLAIM)
    throw new Error(`a sync call with ${keys.length} keys and ${args.length} arguments`);
  const claims: BudgetClaim[] = [];
  for (let i = 0; i < claimCount; i++) {
    const at = HEADER_ARGS + i * ARGS_PER_CLAIM;
    claims.push({
      key: keys[i + 1],
      limit: Number(args[at]),
      windowLeftMs: Number(args[at + 1]),
      first: String(args[at + 2]) === '1',
      share: Number(args[at + 3]),
      owed: Number(args[at + 4]),
      release: Number(args[at + 5]),
      ask: Number(args[at + 6]),
    });
  }
  return {
    gatewayId: String(args[0]),
    heartbeatTtlMs: Number(args[1]),
    reserveMs: Number(args[2]),
    claims,
  };
}

export function encodeSyncReply(reply: SyncReply): number[] {
  const flat = [reply.gateways, reply.rank];
  for (const grant of reply.grants)
    flat.push(grant.granted, grant.claimed, grant.windowLeftMs, grant.contended ? 1 : 0);
  return flat;
}

export function decodeSyncReply(reply: readonly number[], claimCount: number): SyncReply {
  const grants: BudgetGrant[] = new Array(claimCount);
  for (let i = 0; i < claimCount; i++) {
    const at = HEADER_REPLY + i * REPLY_PER_CLAIM;
    grants[i] = {
      granted: reply[at],
      claimed: reply[at + 1],
      windowLeftMs: reply[at + 2],
      contended: reply[at + 3] === 1,
    };
  }
  return { gateways: reply[0], rank: reply[1], grants };
}
