import { testStack } from '../support/stack.ts';
import { Client, count, storeMode } from '../support/rate-limit.ts';

// No REDIS_URL: `npm start` needs no Redis, and a single gateway still limits, in memory. This
// gateway trusts one proxy hop, so the client is the rightmost X-Forwarded-For entry.
const L = 5;
const VERIFY_LIMIT = 3;

describe('embedded rate limiting (no Redis configured), behind one trusted proxy', () => {
  const stack = testStack({
    env: {
      gateway: {
        RATE_LIMIT_LIMIT: String(L),
        RATE_LIMIT_WINDOW_MS: '60000',
        RATE_LIMIT_ROUTES: `/verify=${VERIFY_LIMIT}`,
        RATE_LIMIT_TRUSTED_PROXY_HOPS: '1',
      },
    },
  });
  let proxy: Client; // every request comes from the same socket address, as behind a balancer
  const from =
    (client: string, spoofed = '') =>
    () => ({
      'x-forwarded-for': `${spoofed}${client}`,
    });

  beforeAll(async () => {
    await stack.start();
    proxy = new Client(`${stack.net}.201`);
  });
  afterAll(async () => {
    proxy.close();
    await stack.stop();
  });

  it('limits each client in memory; the leftmost X-Forwarded-For entries cannot escape', async () => {
    const gateway = stack.gateways;
    expect(await storeMode(gateway[0])).toBe('embedded');
    const first = await proxy.burst(gateway, '/projects/', L + 3, {
      headers: from('198.51.100.1'),
    });
    // The client writes the left part; the trusted proxy appended the real address on the right.
    const spoofing = await proxy.burst(gateway, '/projects/', 5, {
      headers: (i) => from('198.51.100.1', `203.0.113.${i}, `)(),
    });
    const other = await proxy.burst(gateway, '/projects/', L + 3, {
      headers: from('198.51.100.2'),
    });
    // A route with a budget of its own is not drained by the default policy.
    const verify = await proxy.burst(gateway, '/verify/', VERIFY_LIMIT + 2, {
      headers: from('198.51.100.1'),
    });
    console.log(
      `[ratelimit] embedded store, one gateway, L=${L}: client A accepted ${count(first, 200)}/${first.length}, ` +
        `A with spoofed leftmost X-Forwarded-For entries ${count(spoofing, 200)}/${spoofing.length}, ` +
        `client B ${count(other, 200)}/${other.length}, A on /verify (own limit ${VERIFY_LIMIT}) ${count(verify, 200)}/${verify.length}`,
    );
    expect(count(first, 200)).toBe(L);
    expect(count(first, 429)).toBe(3);
    expect(count(spoofing, 429)).toBe(spoofing.length);
    expect(count(other, 200)).toBe(L);
    expect(count(verify, 200)).toBe(VERIFY_LIMIT);
    expect(count(verify, 429)).toBe(2);
  });

  it('without X-Forwarded-For the socket address is the client', async () => {
    const direct = new Client(`${stack.net}.202`);
    try {
      const answers = await direct.burst(stack.gateways, '/projects/', L + 1);
      expect(count(answers, 200)).toBe(L);
      expect(count(answers, 429)).toBe(1);
    } finally {
      direct.close();
    }
  });

  it('never limits the admin listener', async () => {
    for (let i = 0; i < 3 * L; i++) {
      const response = await fetch(`${stack.gateways[0].adminUrl}/_status/healthcheck`);
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBeNull();
    }
  });
});
