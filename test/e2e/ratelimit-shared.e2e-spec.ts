import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, count, sharedLimitStack, storeMode } from '../support/rate-limit.ts';

// One limit across every gateway replica: 3 gateways share one real redis-server (with a password,
// as an external Redis has), and a client that spreads its requests over them gets L per window.
const L = 100;
const WINDOW_MS = 10_000;
const VERIFY_LIMIT = 20;

describe('rate limiting shared by 3 gateways through Redis', () => {
  const { stack, clients } = sharedLimitStack(
    {
      RATE_LIMIT_LIMIT: String(L),
      RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
      RATE_LIMIT_ROUTES: `/verify=${VERIFY_LIMIT}/60000`,
    },
    { password: 'e2e-secret' },
  );

  it('every gateway counts in Redis (authenticated with REDIS_PASSWORD)', async () => {
    for (const gateway of stack.gateways) expect(await storeMode(gateway)).toBe('shared');
  });

  it('one client spread over 3 gateways gets L per window, window after window', async () => {
    const alice = clients.next();
    const windows: Array<{ accepted: number; sent: number }> = [];
    let last: Answer | undefined;
    for (let window = 0; window < 2; window++) {
      if (last) await sleep(resetSeconds(last) * 1000 + 300); // let the window end
      const answers = await alice.burst(stack.gateways, '/projects/', 3 * L, { concurrency: 12 });
      last = answers[answers.length - 1];
      expect(count(answers, 200) + count(answers, 429)).toBe(answers.length); // nothing else
      for (let g = 0; g < 3; g++) {
        const mine = answers.filter((a) => a.gateway === g);
        expect(count(mine, 200)).toBeGreaterThan(0); // really spread over all 3
        expect(count(mine, 429)).toBeGreaterThan(0);
      }
      windows.push({ accepted: count(answers, 200), sent: answers.length });
    }
    console.log(
      `[ratelimit] accuracy, 3 gateways + redis, one client, L=${L} per ${WINDOW_MS / 1000} s: ` +
        windows
          .map(
            (w, i) =>
              `window ${i + 1} accepted ${w.accepted}/${w.sent} (${deviation(w.accepted, L)})`,
          )
          .join(', '),
    );
    for (const w of windows) expect(Math.abs(w.accepted - L)).toBeLessThanOrEqual(0.05 * L);
  });

  it('answers a limited request with 429 JSON, Retry-After and the RateLimit headers', async () => {
    const answers = await clients
      .next()
      .burst(stack.gateways, '/projects', L + 1, { concurrency: 4 });
    const limited = answers.find((a) => a.status === 429);
    const allowed = answers.find((a) => a.status === 200);
    expect(allowed?.headers['ratelimit-policy']).toBe(`"default";q=${L};w=${WINDOW_MS / 1000}`);
    expect(allowed?.headers['ratelimit']).toMatch(/^"default";r=\d+;t=\d+$/);
    expect(limited?.headers['ratelimit']).toMatch(/^"default";r=0;t=\d+$/);
    const retryAfter = Number(limited?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(JSON.parse(limited?.body ?? '')).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^rate limit exceeded: 100 requests per 10 s/),
      policy: 'default',
      retryAfter,
    });
  });

  it('limits clients independently; a spoofed X-Forwarded-For does not escape (no trusted hops)', async () => {
    const carol = clients.next();
    const dave = clients.next();
    // /verify has a budget of its own, smaller than the default one.
    const carolFirst = await carol.burst(stack.gateways, '/verify/', VERIFY_LIMIT + 10);
    const daveFirst = await dave.burst(stack.gateways, '/verify/', VERIFY_LIMIT + 10);
    const carolSpoofing = await carol.burst(stack.gateways, '/verify/', 10, {
      headers: (i) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` }),
    });
    console.log(
      `[ratelimit] identities, /verify limit ${VERIFY_LIMIT}: client A accepted ${count(carolFirst, 200)}/${carolFirst.length}, ` +
        `client B ${count(daveFirst, 200)}/${daveFirst.length}, ` +
        `A again with a new X-Forwarded-For on each request ${count(carolSpoofing, 200)}/${carolSpoofing.length}`,
    );
    // Background budgets never admit more than L in a window once every gateway has declared.
    // They may admit less: tokens still held by another gateway, about two sync intervals of its
    // demand (docs/adr/0005-background-rate-limit-sync.md, "Accuracy bound"). For a limit this
    // small (20 over 3 gateways, shares of 7) that can be a whole share - runs measured 20, 19 and
    // 13 for the first client - so the bound here is two shares; the 5 % accuracy on limits large
    // enough to share out is ratelimit-accuracy.e2e-spec.ts's claim. Independence still shows: B
    // gets its own budget after A spent A's.
    const share = Math.ceil(VERIFY_LIMIT / stack.gateways.length);
    for (const first of [carolFirst, daveFirst]) {
      expect(count(first, 200) + count(first, 429)).toBe(first.length);
      expect(count(first, 200)).toBeLessThanOrEqual(VERIFY_LIMIT);
      expect(count(first, 200)).toBeGreaterThanOrEqual(VERIFY_LIMIT - 2 * share);
    }
    expect(count(carolSpoofing, 200)).toBe(0);
    expect(count(carolSpoofing, 429)).toBe(10);
    expect(carolSpoofing[0].headers['ratelimit-policy']).toBe(`"/verify";q=${VERIFY_LIMIT};w=60`);
  });
});

function resetSeconds(answer: Answer): number {
  return Number(/;t=(\d+)/.exec(String(answer.headers['ratelimit']))?.[1] ?? WINDOW_MS / 1000);
}

function deviation(accepted: number, limit: number): string {
  const pct = ((accepted - limit) / limit) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}
