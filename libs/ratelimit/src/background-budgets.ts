import { MAX_MEMORY_WINDOWS } from './memory-windows';
import type { BudgetClaim, SyncReply } from './shared-budgets';

/** One client's budget under one policy, in the current window, as this gateway holds it. */
interface Budget {
  readonly key: string;
  readonly limit: number;
  endsAt: number;
  /** Requests this gateway may still admit without asking the store. */
  tokens: number;
  /** The share taken on trust for the window; declared by the first sync. */
  readonly share: number;
  /** Whether the store has answered a claim of this gateway on this window. */
  declared: boolean;
  /** Admitted and not counted by the store (before the first answer: all admissions). */
  owed: number;
  /** Tokens claimed by all gateways as last seen (the share alone until the first answer). */
  claimed: number;
  /** Another gateway was refused tokens lately: hand back what this one does not need. */
  contended: boolean;
  /** Requests since the last claim was sent: admitted, and denied for want of tokens. */
  admittedSinceClaim: number;
  deniedSinceClaim: number;
  /** A claim for it is in the sync in flight. */
  inFlight: boolean;
}

/** Claims sent in one sync at most: bounds the time Redis spends in one script call. */
const MAX_CLAIMS_PER_SYNC = 2000;

interface SentClaim {
  budget: Budget;
  claim: BudgetClaim;
}

/**
 * The background mode's local half (docs/adr/0005-background-rate-limit-sync.md): decides each
 * request from tokens this gateway holds, and turns what happened since the last sync into claims.
 *
 * Each window, a gateway starts with its share of the limit, floor((limit + rank) / gateways) - the
 * shares of all gateways add up to the limit, so a burst on every gateway before any sync admits at
 * most the limit. Its first sync declares the share; the store keeps the shares of gateways yet to
 * declare reserved for a moment, so nobody claims them away. Later syncs hand back unused tokens
 * and ask for more, granted from what is left of the limit: the store counts every token held or
 * spent, so the gateways together never admit more than the limit once they have all declared.
 *
 * No timers and no I/O here: BudgetSync calls `takeClaims` and `applyReply` (budget-sync.ts).
 */
export class BackgroundBudgets {
  private readonly budgets = new Map<string, Budget>();
  /** Budgets with something to report since the last sync. */
  private touched = new Set<Budget>();
  /** Budgets touched in the sync before: checked once more, to hand back what they no longer use. */
  private cooling = new Set<Budget>();
  private sent: SentClaim[] = [];
  private gatewayCount = 1;
  private gatewayRank = 0;
  /** A budget ran out of tokens: the store should sync now rather than at the next interval. */
  syncWanted = false;
  /** Set by `admit`: milliseconds until that budget's window ends. */
  resetMs = 0;
  /** Set by `admit`: the requests left in the window, as far as this gateway knows. */
  remaining = 0;

  constructor(private readonly maxKeys: number = MAX_MEMORY_WINDOWS) {}

  get gateways(): number {
    return this.gatewayCount;
  }

  /** True when admitted; `remaining` and `resetMs` then describe the budget either way. */
  admit(key: string, limit: number, windowMs: number, now: number): boolean {
    let budget = this.budgets.get(key);
    if (budget === undefined || budget.endsAt <= now) budget = this.open(key, limit, windowMs, now);
    this.touched.add(budget);
    this.resetMs = budget.endsAt - now;
    if (budget.tokens > 0) {
      budget.tokens--;
      budget.admittedSinceClaim++;
      // Before the first answer every admission is owed; those made while the first claim is in
      // flight are covered by its share, or turned into owed tokens by applyReply.
      if (!budget.declared && !budget.inFlight) budget.owed++;
      this.remaining = remainingOf(budget);
      if (budget.tokens === 0 && !budget.inFlight) this.syncWanted = true;
      return true;
    }
    budget.deniedSinceClaim++;
    this.remaining = 0;
    return false;
  }

  /**
   * The claims of the next sync, one per budget with something to say; marks them in flight until
   * `applyReply` or `abandon`. Call with no sync in flight.
   */
  takeClaims(now: number): BudgetClaim[] {
    const claims: BudgetClaim[] = [];
    const candidates = this.cooling;
    for (const budget of this.touched) candidates.add(budget);
    this.cooling = this.touched;
    this.touched = new Set();
    for (const budget of candidates) {
      if (budget.endsAt <= now || this.budgets.get(budget.key) !== budget) {
        this.cooling.delete(budget);
        continue;
      }
      if (claims.length >= MAX_CLAIMS_PER_SYNC) {
        this.touched.add(budget); // the rest go with the next sync, at once
        this.syncWanted = true;
        continue;
      }
      const claim = this.claimOf(budget, now);
      if (claim === undefined) continue;
      budget.inFlight = true;
      claims.push(claim);
      this.sent.push({ budget, claim });
    }
    if (claims.length < MAX_CLAIMS_PER_SYNC) this.syncWanted = false;
    return claims;
  }

  /** How many gateways share each limit, and this one's rank: the shares of new windows. */
  learnGateways(reply: Pick<SyncReply, 'gateways' | 'rank'>): void {
    this.gatewayCount = Math.max(1, reply.gateways);
    this.gatewayRank = Math.min(reply.rank, this.gatewayCount - 1);
  }

  applyReply(reply: SyncReply, now: number): void {
    this.learnGateways(reply);
    const sent = this.sent;
    this.sent = [];
    for (let i = 0; i < sent.length; i++) {
      const { budget, claim } = sent[i];
      budget.inFlight = false;
      const grant = reply.grants[i];
      if (grant === undefined || this.budgets.get(budget.key) !== budget) continue;
      // A first claim replaces the share taken on trust by what the store granted of it.
      budget.tokens += grant.granted - (claim.first ? claim.share : 0);
      if (claim.first) budget.declared = true;
      if (budget.tokens < 0) {
        // Admitted on trust beyond what the store granted: counted at the next sync.
        budget.owed += -budget.tokens;
        budget.tokens = 0;
      }
      budget.claimed = grant.claimed;
      budget.contended = grant.contended;
      budget.endsAt = now + grant.windowLeftMs;
      if (budget.tokens === 0 && budget.deniedSinceClaim > 0) this.touched.add(budget);
    }
  }

  /**
   * The gateway is leaving (its listeners are closed: it admits nothing more): every declared
   * budget hands back its unused tokens and reports what it still owes. Without this they would
   * stay claimed until their window ends, and a gateway declaring late in that window - the one
   * replacing this one - would find the limit held. Call with no sync in flight.
   */
  takeLeavingClaims(now: number): BudgetClaim[] {
    const claims: BudgetClaim[] = [];
    for (const budget of this.budgets.values()) {
      if (claims.length >= MAX_CLAIMS_PER_SYNC) break;
      if (!budget.declared || budget.inFlight || budget.endsAt <= now) continue;
      claims.push({
        key: budget.key,
        limit: budget.limit,
        windowLeftMs: budget.endsAt - now,
        first: false,
        share: 0,
        owed: budget.owed,
        release: budget.tokens,
        ask: 0,
      });
      budget.owed = 0;
      budget.tokens = 0;
    }
    return claims;
  }

  /** The sync failed: its claims are lost; budgets keep what they hold. */
  abandon(): void {
    for (const { budget } of this.sent) budget.inFlight = false;
    this.sent = [];
  }

  /** Drops budgets whose window has ended. */
  sweep(now: number): void {
    for (const [key, budget] of this.budgets) if (budget.endsAt <= now) this.budgets.delete(key);
  }

  private open(key: string, limit: number, windowMs: number, now: number): Budget {
    if (this.budgets.size >= this.maxKeys) this.makeRoom(now);
    const share = Math.floor((limit + this.gatewayRank) / this.gatewayCount);
    const budget: Budget = {
      key,
      limit,
      endsAt: now + windowMs,
      tokens: share,
      share,
      declared: false,
      owed: 0,
      claimed: share,
      contended: false,
      admittedSinceClaim: 0,
      deniedSinceClaim: 0,
      inFlight: false,
    };
    this.budgets.set(key, budget);
    return budget;
  }

  private claimOf(budget: Budget, now: number): BudgetClaim | undefined {
    if (budget.inFlight) {
      this.touched.add(budget); // its turn comes with the next sync
      return undefined;
    }
    // Hold tokens for about two sync intervals at the recent demand: ask for the difference ahead
    // of time, so a steady client under its limit never waits for a sync.
    const demand = budget.admittedSinceClaim + budget.deniedSinceClaim;
    const ask = demand > 0 && budget.tokens < 2 * demand ? 2 * demand - budget.tokens : 0;
    // Tokens beyond that go back only when another gateway wants them: a quiet gateway keeps its
    // share, so its next request does not wait for a sync either.
    const keep = 2 * budget.admittedSinceClaim;
    const release =
      budget.declared && budget.contended && budget.tokens > keep ? budget.tokens - keep : 0;
    const owed = budget.owed;
    budget.admittedSinceClaim = 0;
    budget.deniedSinceClaim = 0;
    budget.owed = 0;
    budget.tokens -= release;
    return {
      key: budget.key,
      limit: budget.limit,
      windowLeftMs: budget.endsAt - now,
      first: !budget.declared,
      share: budget.declared ? 0 : budget.share,
      owed,
      release,
      ask,
    };
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    if (this.budgets.size < this.maxKeys) return;
    let drop = Math.max(1, Math.floor(this.maxKeys / 10));
    for (const key of this.budgets.keys()) {
      if (drop-- === 0) break;
      this.budgets.delete(key);
    }
  }
}

/** What is left of the window's limit as this gateway knows it: free in the store plus held here. */
function remainingOf(budget: Budget): number {
  return Math.max(0, budget.limit - budget.claimed) + budget.tokens;
}
