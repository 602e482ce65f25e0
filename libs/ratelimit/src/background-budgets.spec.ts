import { BackgroundBudgets } from './background-budgets';
import { FakeBudgetLedger } from './budget-ledger.fixture';

const HEARTBEAT_TTL_MS = 3000;
const RESERVE_MS = 200;
const SYNC_INTERVAL_MS = 50;

/** N gateways on one fake ledger, on a clock the test moves. */
function fleet(n: number) {
  let now = 1_000_000;
  const ledger = new FakeBudgetLedger(() => now);
  const gateways = Array.from({ length: n }, (_, i) => ({
    id: `gateway-${i}`,
    budgets: new BackgroundBudgets(),
  }));
  const sync = (g: number) => {
    const { id, budgets } = gateways[g];
    const claims = budgets.takeClaims(now);
    const request = { gatewayId: id, heartbeatTtlMs: HEARTBEAT_TTL_MS, reserveMs: RESERVE_MS };
    budgets.applyReply(ledger.syncNow({ ...request, claims }), now);
  };
  // Every gateway has said hello: each knows the fleet's size and its rank.
  for (let g = 0; g < n; g++) sync(g);
  for (let g = 0; g < n; g++) sync(g);
  return {
    ledger,
    sync,
    /** Gateway g leaves: its last sync hands back what it holds (BudgetSync.leave). */
    leave: (g: number) => {
      const { id, budgets } = gateways[g];
      const claims = budgets.takeLeavingClaims(now);
      ledger.syncNow({
        gatewayId: id,
        heartbeatTtlMs: HEARTBEAT_TTL_MS,
        reserveMs: RESERVE_MS,
        claims,
      });
    },
    /** A new gateway joins the fleet (as BudgetSync.join does: two heartbeats); its index. */
    join: () => {
      gateways.push({ id: `gateway-${gateways.length}`, budgets: new BackgroundBudgets() });
      const g = gateways.length - 1;
      sync(g);
      sync(g);
      return g;
    },
    admit: (g: number, key: string, limit: number, windowMs: number) =>
      gateways[g].budgets.admit(key, limit, windowMs, now),
    budgets: (g: number) => gateways[g].budgets,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Which gateway a request goes to, for a spread such as [0.7, 0.2, 0.1]. */
function picker(spread: number[], rand: () => number): () => number {
  return () => {
    let x = rand();
    for (let g = 0; g < spread.length; g++) if ((x -= spread[g]) < 0) return g;
    return spread.length - 1;
  };
}

/**
 * Simulates `windows` windows of demand on one key, `perMs` requests per ms spread over the
 * gateways; each gateway syncs every SYNC_INTERVAL_MS (staggered) and, after `rttMs`, when a
 * budget runs out. Returns the admissions per window.
 */
function simulate(options: {
  gateways: number;
  spread: number[];
  limit: number;
  windowMs: number;
  windows: number;
  perMs: number;
  rttMs: number;
  seed: number;
}): number[] {
  const f = fleet(options.gateways);
  const rand = random(options.seed);
  const pick = picker(options.spread, rand);
  const start = f.now();
  const admitted: number[] = new Array(options.windows).fill(0);
  const soon = new Map<number, number>(); // gateway -> when its early sync goes
  const offset = (g: number) => Math.floor((g * SYNC_INTERVAL_MS) / options.gateways);
  for (let t = 0; t < options.windows * options.windowMs; t++) {
    for (let r = 0; r < options.perMs; r++) {
      const g = pick();
      if (f.admit(g, 'client', options.limit, options.windowMs))
        admitted[Math.floor((f.now() - start) / options.windowMs)]++;
      if (f.budgets(g).syncWanted && !soon.has(g)) soon.set(g, f.now() + options.rttMs);
    }
    for (let g = 0; g < options.gateways; g++) {
      if ((t + offset(g)) % SYNC_INTERVAL_MS === 0 || soon.get(g) === f.now()) {
        soon.delete(g);
        f.sync(g);
      }
    }
    f.advance(1);
  }
  return admitted;
}

describe('BackgroundBudgets', () => {
  it('gives each gateway its share of a new window: together exactly the limit', () => {
    const f = fleet(3);
    const admitted = [0, 1, 2].map((g) => {
      let n = 0;
      for (let i = 0; i < 200; i++) if (f.admit(g, 'k', 100, 1000)) n++;
      return n;
    });
    // floor((100 + rank) / 3): 33, 33, 34 - a burst on every gateway before any sync admits 100.
    expect(admitted).toEqual([33, 33, 34]);
  });

  it('sizes the shares by the number of gateways counted through the store', () => {
    for (const n of [1, 2, 4]) {
      const f = fleet(n);
      let total = 0;
      for (let g = 0; g < n; g++)
        for (let i = 0; i < 50; i++) if (f.admit(g, 'k', 10, 1000)) total++;
      expect(total).toBe(10);
      expect(f.budgets(0).gateways).toBe(n);
    }
  });

  it('a burst interleaved with syncs on 3 gateways never admits more than the limit', () => {
    const f = fleet(3);
    let admitted = 0;
    // Gateway 0 runs out first and syncs while the others still hold their shares on trust.
    for (let i = 0; i < 10; i++) if (f.admit(0, 'k', 20, 60_000)) admitted++;
    f.sync(0);
    for (let i = 0; i < 10; i++) if (f.admit(0, 'k', 20, 60_000)) admitted++;
    for (const g of [1, 2])
      for (let i = 0; i < 10; i++) if (f.admit(g, 'k', 20, 60_000)) admitted++;
    for (const g of [0, 1, 2, 0, 1, 2]) {
      f.sync(g);
      for (let i = 0; i < 10; i++) if (f.admit(g, 'k', 20, 60_000)) admitted++;
    }
    expect(admitted).toBe(20);
    expect(f.ledger.claimed('k')).toBe(20);
  });

  it.each([
    ['an even spread', [1 / 3, 1 / 3, 1 / 3], 1],
    ['a 70/20/10 spread', [0.7, 0.2, 0.1], 2],
    ['a 90/9/1 spread', [0.9, 0.09, 0.01], 3],
  ])('keeps every window within 5 %% of the limit with %s', (_name, spread, seed) => {
    const limit = 200;
    const admitted = simulate({
      gateways: 3,
      spread,
      limit,
      windowMs: 2000,
      windows: 4,
      perMs: 1, // 5 x the limit per window
      rttMs: 1,
      seed,
    });
    for (const count of admitted) {
      expect(count).toBeLessThanOrEqual(limit);
      expect(count).toBeGreaterThanOrEqual(0.95 * limit);
    }
  });

  it('starts a new window with a fresh share once the old one has ended', () => {
    const f = fleet(3);
    for (let i = 0; i < 50; i++) f.admit(0, 'k', 30, 1000);
    f.sync(0);
    expect(f.admit(0, 'k', 30, 1000)).toBe(false);
    expect(f.budgets(0).resetMs).toBeGreaterThan(0);
    f.advance(1000);
    expect(f.admit(0, 'k', 30, 1000)).toBe(true);
    expect(f.budgets(0).resetMs).toBe(1000);
    f.sync(0);
    expect(f.ledger.claimed('k')).toBe(10); // the new window's share, declared
  });

  it('lets one gateway serving a client alone use the whole limit once the reserve has passed', () => {
    const f = fleet(3);
    let admitted = 0;
    for (let ms = 0; ms < 1000; ms += 10) {
      for (let i = 0; i < 5; i++) if (f.admit(0, 'sticky', 100, 10_000)) admitted++;
      if (ms % SYNC_INTERVAL_MS === 0 || f.budgets(0).syncWanted) f.sync(0);
      f.advance(10);
    }
    expect(admitted).toBe(100);
  });

  it('a quiet gateway keeps its tokens: a client under its limit never waits for a sync', () => {
    const f = fleet(3);
    for (let ms = 0; ms < 5000; ms += 100) {
      expect(f.admit(1, 'slow', 100, 10_000)).toBe(true); // 10 per second against 100 per 10 s
      f.sync(1);
      f.advance(100);
    }
  });

  it('a gateway that first sees a client late admits at most its share over the limit', () => {
    const f = fleet(3);
    let admitted = 0;
    for (let ms = 0; ms < 1000; ms += 10) {
      for (let i = 0; i < 10; i++) if (f.admit(0, 'k', 90, 10_000)) admitted++;
      f.sync(0);
      f.advance(10);
    }
    expect(admitted).toBe(90);
    // The client moves to gateway 2, which has not seen it this window: its share is taken on
    // trust until its first sync says the window is spent.
    for (let i = 0; i < 100; i++) if (f.admit(2, 'k', 90, 10_000)) admitted++;
    f.sync(2);
    for (let i = 0; i < 100; i++) if (f.admit(2, 'k', 90, 10_000)) admitted++;
    expect(admitted).toBe(90 + 30);
  });

  it('a gateway that joins mid-window under a limit far above the load denies nothing', () => {
    // A drain: 3 gateways share one client's steady traffic; a 4th starts and takes requests in
    // the middle of a window (after the reserve time), then gateway 0 leaves. With a limit of
    // 10^8 nothing may ever be denied - the limit is held by the others, not spent.
    const f = fleet(3);
    const limit = 100_000_000;
    const windowMs = 1000;
    const serving = [0, 1, 2];
    let sent = 0;
    let denied = 0;
    for (let ms = 0; ms < 3000; ms++) {
      if (ms === 500) serving.push(f.join());
      if (ms === 1700) serving.shift(); // gateway 0 stops: its tokens are never handed back
      for (const g of serving) {
        sent++;
        if (!f.admit(g, 'client', limit, windowMs)) denied++;
      }
      for (const g of serving)
        if ((ms + g * 13) % SYNC_INTERVAL_MS === 0 || f.budgets(g).syncWanted) f.sync(g);
      f.advance(1);
    }
    expect(sent).toBe(500 * 3 + 1200 * 4 + 1300 * 3);
    expect(denied).toBe(0);
  });

  it('gateways that leave and join in turn in one window deny nothing far below the limit', () => {
    // A rolling restart within one window: each time, a replacement starts (late in the window),
    // then the gateway it replaces leaves, handing back what it holds. Without the hand-back the
    // leavers' shares stay claimed and the second replacement finds the limit held.
    const f = fleet(3);
    const limit = 100_000_000;
    const serving = [0, 1, 2];
    let denied = 0;
    for (let ms = 0; ms < 3000; ms++) {
      if (ms === 500 || ms === 1200 || ms === 1900) serving.push(f.join());
      if (ms === 700 || ms === 1400 || ms === 2100) f.leave(serving.shift() ?? -1);
      for (const g of serving) if (!f.admit(g, 'client', limit, 60_000)) denied++;
      for (const g of serving)
        if ((ms + g * 13) % SYNC_INTERVAL_MS === 0 || f.budgets(g).syncWanted) f.sync(g);
      f.advance(1);
    }
    expect(denied).toBe(0);
    // Held by the 3 that stay, and what the leavers admitted: within one share over the limit.
    expect(f.ledger.claimed('client')).toBeLessThanOrEqual(limit + limit / 3);
  });
});
