import type { BudgetGrant, SharedBudgets, SyncReply, SyncRequest } from './shared-budgets';
import { StoreError } from './shared-windows';
import {
  decodeSyncCall,
  decodeSyncReply,
  encodeSyncCall,
  encodeSyncReply,
} from './sync-script-layout';

interface LedgerEntry {
  claimed: number;
  declared: number;
  born: number;
  refusedAt: number;
  endsAt: number;
}

/**
 * For unit tests: the shared side of background sync in memory, the same rules as the Redis script
 * (sync-script.ts), on the test's clock. It takes the script's keys and arguments and answers with
 * its reply (`run`), encoded and decoded as for Redis (sync-script-layout.ts); an e2e test runs both
 * on the same calls. `up = false` makes every sync fail like a Redis outage. One ledger is shared by
 * several BackgroundBudgets / stores, as Redis is by several gateways.
 */
export class FakeBudgetLedger implements SharedBudgets {
  up = true;
  syncs = 0;
  private readonly gateways = new Map<string, number>();
  private readonly entries = new Map<string, LedgerEntry>();
  // Not a parameter property: test/e2e imports this file (tsconfig.scripts.json: erasable only).
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  /** Tokens claimed in the key's current window (0 when it has none). */
  claimed(key: string): number {
    return this.live(key, this.clock())?.claimed ?? 0;
  }

  async sync(request: SyncRequest): Promise<SyncReply> {
    if (!this.up) throw new StoreError('unavailable', 'Connection is closed.');
    return this.syncNow(request);
  }

  /** The same, synchronously (for tests that drive BackgroundBudgets directly). */
  syncNow(request: SyncRequest): SyncReply {
    const { keys, args } = encodeSyncCall(request);
    return decodeSyncReply(this.run(keys, args), request.claims.length);
  }

  /** One call of the sync script: its KEYS and ARGV in, its reply out. */
  run(keys: readonly string[], args: ReadonlyArray<string | number>): number[] {
    this.syncs++;
    const request = decodeSyncCall(keys, args);
    const now = this.clock();
    this.gateways.set(request.gatewayId, now);
    for (const [id, seen] of this.gateways)
      if (seen <= now - request.heartbeatTtlMs) this.gateways.delete(id);
    const ids = [...this.gateways.keys()].sort();
    const n = ids.length;
    const rank = ids.filter((id) => id < request.gatewayId).length;
    const grants: BudgetGrant[] = request.claims.map((claim) => {
      let entry = this.live(claim.key, now);
      if (entry === undefined) {
        entry = {
          claimed: 0,
          declared: 0,
          born: now,
          refusedAt: -Infinity,
          endsAt: now + Math.max(1, claim.windowLeftMs),
        };
        this.entries.set(claim.key, entry);
      }
      const young = now - entry.born < request.reserveMs;
      let granted = 0;
      if (claim.first) {
        entry.declared++;
        if (young || (entry.refusedAt < entry.born && entry.claimed <= claim.limit)) {
          // On time, or late in a window where no ask was refused: the limit is held, not spent.
          entry.claimed += claim.share;
          granted = claim.share;
        } else {
          entry.claimed += claim.owed;
          const extra = Math.max(
            0,
            Math.min(claim.share - claim.owed, claim.limit - entry.claimed),
          );
          entry.claimed += extra;
          granted = claim.owed + extra;
        }
      } else entry.claimed += claim.owed - claim.release;
      if (claim.ask > 0) {
        let reserved = 0;
        if (young && entry.declared < n) {
          const k = n - entry.declared;
          reserved = k * Math.floor(claim.limit / n) + Math.min(k, claim.limit % n);
        }
        const more = Math.max(0, Math.min(claim.ask, claim.limit - entry.claimed - reserved));
        if (more < claim.ask) entry.refusedAt = now;
        entry.claimed += more;
        granted += more;
      }
      return {
        granted,
        claimed: entry.claimed,
        windowLeftMs: entry.endsAt - now,
        contended: now - entry.refusedAt < request.reserveMs,
      };
    });
    return encodeSyncReply({ gateways: n, rank, grants });
  }

  private live(key: string, now: number): LedgerEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.endsAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
