import { eventually } from '../support/eventually.ts';
import type { AppProcess } from '../../process-topology/index.ts';
import { testStack } from '../support/stack.ts';
import {
  type Answer,
  Clients,
  count,
  HUNG_MS,
  latencies,
  logsWith,
  quantile,
  storeMode,
  waitForMode,
} from '../support/rate-limit.ts';
import { requireTool } from '../support/tools.ts';

// Redis is a dependency of every request: when it dies or hangs, the gateways must keep answering
// (never 5xx, never waiting past the Redis command timeout), limit locally, and share again once
// it is back. /verify carries the steady background load (a limit it never reaches); /projects,
// under the default policy, shows which limit is in force.
const L = 30;
const LOCAL_SHARE = 0.5; // each gateway allows ceil(30 x 0.5) = 15 on its own: 45 over 3, not 30
// Ten times the default (100 ms): on a busy shared machine the p99 of any request can reach a few
// hundred ms without Redis playing a part, and answers during an outage must stay well inside it.
const REDIS_TIMEOUT_MS = 1000;
const UNAVAILABLE = 'rate-limit store unavailable';
const AVAILABLE_AGAIN = 'rate-limit store available again';

// Both ways of sharing through Redis fail open the same way: background sync (the default; a
// failed sync switches the gateway) and one call per request (the failing call switches it).
describe.each(['background', 'per-request'])(
  'rate limiting when Redis fails (RATE_LIMIT_SYNC=%s)',
  (sync) => {
    requireTool('redis-server', 'redis-server');
    const stack = testStack({
      gateways: 3,
      redis: true,
      env: {
        gateway: {
          RATE_LIMIT_SYNC: sync,
          RATE_LIMIT_LIMIT: String(L),
          RATE_LIMIT_WINDOW_MS: '20000',
          RATE_LIMIT_ROUTES: '/verify=1000000',
          RATE_LIMIT_LOCAL_SHARE: String(LOCAL_SHARE),
          RATE_LIMIT_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        },
      },
    });
    const redis = () => {
      if (!stack.redis) throw new Error('the stack has no Redis');
      return stack.redis;
    };
    const clients = new Clients(() => stack.net);

    beforeAll(() => stack.start());
    // Each test starts from the same state, whatever the one before it left: Redis up, every gateway
    // sharing it.
    beforeEach(async () => {
      if (!redis().running) {
        redis().start();
        await redis().waitReady();
      }
      await waitForMode(stack.gateways, 'shared');
    });
    afterAll(async () => {
      clients.closeAll();
      await stack.stop();
    });

    it('redis-server killed under load: no 5xx, no hang, local limits; restarted: shared again', async () => {
      expect(await Promise.all(stack.gateways.map(storeMode))).toEqual([
        'shared',
        'shared',
        'shared',
      ]);
      const warnings = logCounts(stack.gateways);
      const load = clients.next().steadyLoad(stack.gateways, '/verify/');
      await answered(load, 30);
      const killedAt = Date.now();
      await redis().kill();

      // The next Redis call of each gateway (its next sync, or its next request's call) fails at
      // once and switches it to local limiting.
      await waitForMode(stack.gateways, 'local');
      const local = await clients.next().burst(stack.gateways, '/projects/', 2 * L);
      await answered(load, 30);

      const restartedAt = Date.now();
      redis().start();
      await redis().waitReady();
      const backAfterMs = await waitForMode(stack.gateways, 'shared');
      const shared = await clients.next().burst(stack.gateways, '/projects/', 2 * L);
      await answered(load, 30);
      const answers = await load.stop();

      const before = answers.filter((a) => a.at < killedAt);
      const outage = answers.filter((a) => a.at >= killedAt && a.at < restartedAt + backAfterMs);
      const localPerGateway = [0, 1, 2].map((g) => count(byGateway(local, g), 200));
      console.log(
        `[ratelimit] ${sync} sync, redis SIGKILL under load: ${answers.length} requests, ${fivexx(answers)} 5xx, ` +
          `${unanswered(answers)} unanswered; latency p50/p99/max before ${latencies(before)} ms, ` +
          `during the outage ${latencies(outage)} ms (${outage.length} requests; command timeout ` +
          `${REDIS_TIMEOUT_MS} ms); local limiting: burst accepted ${count(local, 200)}/${local.length} ` +
          `(${localPerGateway.join('+')}, limit ${L} x share ${LOCAL_SHARE} per gateway); back to ` +
          `shared ${backAfterMs} ms after Redis was ready; burst accepted ${count(shared, 200)}/${shared.length} (L=${L})`,
      );

      expect(fivexx(answers)).toBe(0);
      expect(unanswered(answers)).toBe(0);
      expect(count(answers, 200)).toBe(answers.length);
      expect(outage.length).toBeGreaterThan(10);
      expect(quantile(outage, 0.99)).toBeLessThan(REDIS_TIMEOUT_MS);
      // Local limiting in force: each gateway enforces its share, on its own.
      expect(localPerGateway).toEqual([15, 15, 15]);
      expect(count(local, 429)).toBe(local.length - 45);
      // Shared again: one limit over all three gateways.
      expect(count(shared, 200)).toBe(L);
      expect(count(shared, 429)).toBe(L);
      // One warning per change of state and gateway, not one per request.
      // (Log lines are written asynchronously.)
      await eventually(() =>
        expect(logsSince(stack.gateways, warnings)).toEqual([
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
      );
    });

    it('redis-server hung (SIGSTOP): answers within the command timeout, local limits; SIGCONT: shared', async () => {
      const warnings = logCounts(stack.gateways);
      const load = clients.next().steadyLoad(stack.gateways, '/verify/');
      await answered(load, 30);
      const pausedAt = Date.now();
      redis().pause();
      let resumedAt = 0;
      try {
        // Requests in flight wait at most the command timeout; later ones are decided locally.
        await waitForMode(stack.gateways, 'local');
        await answered(load, 30);
      } finally {
        resumedAt = Date.now();
        redis().resume();
      }
      const backAfterMs = await waitForMode(stack.gateways, 'shared');
      await answered(load, 15);
      const answers = await load.stop();

      const hung = answers.filter((a) => a.at >= pausedAt && a.at < resumedAt);
      console.log(
        `[ratelimit] ${sync} sync, redis SIGSTOP under load: ${answers.length} requests, ${fivexx(answers)} 5xx, ` +
          `${unanswered(answers)} unanswered; latency p50/p99/max while Redis hung ${latencies(hung)} ms ` +
          `(${hung.length} requests; command timeout ${REDIS_TIMEOUT_MS} ms); back to shared ${backAfterMs} ms after SIGCONT`,
      );
      expect(fivexx(answers)).toBe(0);
      expect(unanswered(answers)).toBe(0);
      expect(count(answers, 200)).toBe(answers.length);
      // A request waits for a hung Redis at most the command timeout, on top of its normal time.
      expect(quantile(hung, 1)).toBeLessThan(REDIS_TIMEOUT_MS + 1500);
      // One warning per change of state and gateway, not one per request.
      // (Log lines are written asynchronously.)
      await eventually(() =>
        expect(logsSince(stack.gateways, warnings)).toEqual([
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
      );
    });

    it('a gateway started while Redis is down becomes ready, limits locally, then shares', async () => {
      await redis().kill();
      const gateway = stack.gateways[0];
      await gateway.stop();
      const started = Date.now();
      gateway.start();
      await gateway.waitReady();
      const readyAfterMs = Date.now() - started;
      expect(await storeMode(gateway)).toBe('local');
      await eventually(() =>
        expect(logsWith(gateway, UNAVAILABLE).at(-1)).toMatchObject({
          reason: expect.stringMatching(/^unreachable at start: .*ECONNREFUSED/),
        }),
      );
      const answers = await clients.next().burst([gateway], '/projects/', L);
      expect(count(answers, 200)).toBe(Math.ceil(L * LOCAL_SHARE));

      redis().start();
      await redis().waitReady();
      const backAfterMs = await waitForMode([gateway], 'shared');
      console.log(
        `[ratelimit] ${sync} sync, gateway started with Redis down: ready after ${readyAfterMs} ms in local mode ` +
          `(accepted ${count(answers, 200)}/${answers.length}); shared ${backAfterMs} ms after Redis came up`,
      );
    });
  },
);

/** Per gateway: how many "unavailable" and "available again" lines it has logged so far. */
function logCounts(gateways: AppProcess[]): Array<[number, number]> {
  return gateways.map((gateway) => [
    logsWith(gateway, UNAVAILABLE).length,
    logsWith(gateway, AVAILABLE_AGAIN).length,
  ]);
}

/** The log lines of logCounts logged since `before`. */
function logsSince(gateways: AppProcess[], before: Array<[number, number]>) {
  return logCounts(gateways).map(([down, up], g) => [down - before[g][0], up - before[g][1]]);
}

/** Waits until the steady load has `more` answers than now (load keeps running meanwhile). */
async function answered(load: { answers: Answer[] }, more: number): Promise<void> {
  const target = load.answers.length + more;
  await eventually(() => load.answers.length >= target, {
    timeoutMs: 30_000,
    what: `${more} more answers`,
  });
}

function byGateway(answers: Answer[], gateway: number): Answer[] {
  return answers.filter((a) => a.gateway === gateway);
}

function fivexx(answers: Answer[]): number {
  return answers.filter((a) => a.status >= 500).length;
}

/** Requests without any answer: connection errors, or no answer within HUNG_MS. */
function unanswered(answers: Answer[]): number {
  return answers.filter((a) => a.status === 0 || a.ms >= HUNG_MS).length;
}
