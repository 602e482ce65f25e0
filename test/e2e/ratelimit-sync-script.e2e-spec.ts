// Here rather than next to the code: it needs a real redis-server, and real processes are test/e2e's.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { FakeBudgetLedger } from '../../libs/ratelimit/src/budget-ledger.fixture.ts';
import type { SyncReply, SyncRequest } from '../../libs/ratelimit/src/shared-budgets.ts';
import { SYNC_SCRIPT } from '../../libs/ratelimit/src/sync-script.ts';
import { decodeSyncReply, encodeSyncCall } from '../../libs/ratelimit/src/sync-script-layout.ts';
import { RedisProcess, randomLoopbackNet } from '../../process-topology/index.ts';
import { requireTool } from '../support/tools.ts';

// The unit tests of background sync run on an in-memory ledger (budget-ledger.fixture.ts) that
// must answer as the Redis script (sync-script.ts) does. Here both get the same calls, encoded
// once (sync-script-layout.ts), and must give the same replies.
const LIMIT = 10;
const LONG_MS = 60_000;

describe('the background sync script and the unit tests’ ledger', () => {
  requireTool('redis-server', 'redis-server');
  const redisProcess = new RedisProcess({ host: `${randomLoopbackNet()}.5`, port: 6379 });
  let redis: Redis;
  let ledger: FakeBudgetLedger;
  let caseStartedAt = 0;

  beforeAll(async () => {
    redisProcess.start();
    await redisProcess.waitReady();
    redis = new Redis({ ...redisProcess.options, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisProcess.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    ledger = new FakeBudgetLedger();
    caseStartedAt = Date.now();
  });

  /** One call to both; expects the same reply and returns it. */
  async function sync(request: SyncRequest): Promise<SyncReply> {
    const { keys, args } = encodeSyncCall(request);
    const fromLedger = ledger.run(keys, args);
    const fromRedis = (await redis.eval(SYNC_SCRIPT, keys.length, ...keys, ...args)) as number[];
    expect(fromRedis).toHaveLength(fromLedger.length);
    const expected = decodeSyncReply(fromLedger, request.claims.length);
    const actual = decodeSyncReply(fromRedis, request.claims.length);
    // Both windows count down from the same length, started and read a moment apart (the ledger
    // first): they differ by at most the time this case has run.
    const slack = Date.now() - caseStartedAt + 2;
    actual.grants.forEach((grant, i) =>
      expect(Math.abs(grant.windowLeftMs - expected.grants[i].windowLeftMs)).toBeLessThanOrEqual(
        slack,
      ),
    );
    expect(withoutTimes(actual)).toEqual(withoutTimes(expected));
    return expected;
  }

  const request = (gatewayId: string, claims: SyncRequest['claims'] = [], reserveMs = LONG_MS) => ({
    gatewayId,
    heartbeatTtlMs: LONG_MS,
    reserveMs,
    claims,
  });
  const claim = (key: string, fields: Partial<SyncRequest['claims'][number]>) => ({
    key,
    limit: LIMIT,
    windowLeftMs: LONG_MS,
    first: false,
    share: 0,
    owed: 0,
    release: 0,
    ask: 0,
    ...fields,
  });

  it('declares a share on time, then counts owed and released tokens and grants asks', async () => {
    await sync(request('a'));
    const declared = await sync(request('a', [claim('k', { first: true, share: 10, owed: 4 })]));
    expect(declared.grants[0]).toMatchObject({ granted: 10, claimed: 10, contended: false });
    const later = await sync(request('a', [claim('k', { owed: 3, release: 5, ask: 1 })]));
    expect(later.grants[0]).toMatchObject({ granted: 1, claimed: 9 });
    await sync(request('a', [claim('k', { ask: 4 })])); // one left: a partial grant, contended
  });

  it('keeps the shares of gateways yet to declare reserved', async () => {
    for (const id of ['a', 'b', 'c']) await sync(request(id));
    const first = await sync(request('a', [claim('k', { first: true, share: 3, ask: 5 })]));
    expect(first).toMatchObject({ gateways: 3, rank: 0 });
    expect(first.grants[0]).toMatchObject({ granted: 3, claimed: 3, contended: true });
    await sync(request('b', [claim('k', { first: true, share: 3, owed: 1, ask: 2 })]));
    await sync(request('c', [claim('k', { first: true, share: 4, ask: 1 })]));
    await sync(request('a', [claim('k', { release: 2 })]));
    await sync(request('b', [claim('k', { ask: 3 })]));
  });

  it('gives a late declaration its share while no ask was refused, then what is still free', async () => {
    const late = (id: string, fields: Parameters<typeof claim>[1]) =>
      sync(request(id, [claim('k', fields)], 0));
    expect((await late('a', { first: true, share: 10, owed: 8 })).grants[0]).toMatchObject({
      granted: 10,
      claimed: 10,
    });
    // The limit is all held, none refused: held, not spent - the share, over the limit.
    expect((await late('b', { first: true, share: 5, owed: 3 })).grants[0]).toMatchObject({
      granted: 5,
      claimed: 15,
    });
    expect((await late('b', { ask: 4 })).grants[0]).toMatchObject({ granted: 0, claimed: 15 });
    // Refused once: a later declaration gets what it admitted and what is still free (nothing).
    expect((await late('c', { first: true, share: 5, owed: 3 })).grants[0]).toMatchObject({
      granted: 3,
      claimed: 18,
    });
    await late('a', { release: 6, ask: 0 });
    await late('b', { release: 4, ask: 4 });
    await late('b', { ask: 4 });
  });

  it('answers several claims of one call in their order', async () => {
    await sync(request('a'));
    await sync(
      request('a', [
        claim('k1', { first: true, share: 10, ask: 2 }),
        claim('k2', { limit: 3, first: true, share: 3, owed: 3, ask: 5 }),
        claim('k3', { limit: 100, windowLeftMs: 5000, first: true, share: 50, owed: 7, ask: 20 }),
      ]),
    );
    await sync(request('a', [claim('k3', { limit: 100, owed: 10, ask: 60 }), claim('k1', {})]));
  });

  it('starts a new window once the key has expired', async () => {
    await sync(request('a', [claim('k', { windowLeftMs: 100, first: true, share: 10, owed: 10 })]));
    await sleep(400);
    const next = await sync(request('a', [claim('k', { first: true, share: 10, owed: 2 })]));
    expect(next.grants[0]).toMatchObject({ granted: 10, claimed: 10 });
  });

  it('counts gateways by their heartbeats within the TTL, ranked by id', async () => {
    expect(await sync(request('b'))).toMatchObject({ gateways: 1, rank: 0 });
    expect(await sync(request('a'))).toMatchObject({ gateways: 2, rank: 0 });
    expect(await sync(request('c'))).toMatchObject({ gateways: 3, rank: 2 });
    await sleep(400);
    const alone = await sync({ ...request('b'), heartbeatTtlMs: 200 });
    expect(alone).toMatchObject({ gateways: 1, rank: 0 });
  });
});

/** A reply without the times left, which the two clocks may see a few milliseconds apart. */
function withoutTimes(reply: SyncReply) {
  return { ...reply, grants: reply.grants.map((grant) => ({ ...grant, windowLeftMs: 0 })) };
}
