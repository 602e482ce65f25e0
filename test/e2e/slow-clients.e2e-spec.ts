import { request, Agent } from 'node:http';
import { Stack } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/http.ts';
import { slowClients, type SlowConnection } from '../support/slow-client.ts';

const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 4000;
const BODY_LIMIT = 2048;
const SLOW_HEADERS = 300;
const SLOW_BODIES = 100;

// Without these settings Node checks its timeouts every 30 s and Fastify has no request timeout:
// a few hundred trickling clients kept their connections for over a minute.
describe('slow and abusive clients on the public listener', () => {
  const stack = new Stack({
    env: {
      gateway: {
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        HTTP_TIMEOUT_CHECK_INTERVAL_MS: '500',
        HTTP_MAX_REQUESTS_PER_SOCKET: '3',
        HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT),
        RATE_LIMIT_LIMIT: '100000',
      },
    },
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it(`closes ${SLOW_HEADERS} slowloris and ${SLOW_BODIES} slow-body connections after their timeouts while a normal client is served`, async () => {
    const gateway = stack.gateways[0];
    const loris = slowClients(gateway.host, gateway.port, SLOW_HEADERS, 'headers');
    const bodies = slowClients(gateway.host, gateway.port, SLOW_BODIES, 'body');
    const all = [...loris.connections, ...bodies.connections];
    const latencies: number[] = [];
    const statuses = new Set<number>();
    let held = 0;
    try {
      // A normal client, one request after the other, for as long as slow connections are open.
      const normal = (async () => {
        while (all.some((c) => c.closedAt === undefined) && latencies.length < 2000) {
          const started = performance.now();
          const answer = await postJson(`${stack.gatewayUrl}/projects/`, { title: 'normal' });
          latencies.push(performance.now() - started);
          statuses.add(answer.status);
          held = Math.max(
            held,
            all.filter((c) => c.closedAt === undefined && !c.socket.connecting).length,
          );
        }
      })();
      // Bounded wait: far more than the timeouts, less than Node's own 30 s check interval.
      await eventually(
        () => expect(all.filter((c) => c.closedAt === undefined)).toHaveLength(0),
        20_000,
      );
      await normal;
    } finally {
      loris.stop();
      bodies.stop();
    }
    const seconds = (list: SlowConnection[]) =>
      list.map((c) => ((c.closedAt as number) - c.openedAt) / 1000);
    const lorisS = seconds(loris.connections);
    const bodyS = seconds(bodies.connections);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    console.log(
      `[slow-clients] held at most ${held} slow connections at once; slowloris closed after ` +
        `${Math.min(...lorisS).toFixed(1)}-${Math.max(...lorisS).toFixed(1)} s (headers timeout ${HEADERS_TIMEOUT_MS / 1000} s), ` +
        `slow bodies after ${Math.min(...bodyS).toFixed(1)}-${Math.max(...bodyS).toFixed(1)} s (request timeout ${REQUEST_TIMEOUT_MS / 1000} s); ` +
        `normal client meanwhile: ${latencies.length} requests, p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms, statuses ${[...statuses].join(',')}`,
    );
    expect([...statuses]).toEqual([200]);
    expect(latencies.length).toBeGreaterThan(0);
    // None was closed before its timeout: they were held, then cut by the timeout, not refused.
    expect(Math.min(...lorisS)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS / 1000 - 0.1);
    expect(Math.min(...bodyS)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS / 1000 - 0.1);
    // Whoever got an answer got a 408, never a 5xx.
    for (const c of all) if (c.received !== '') expect(c.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(
      bodies.connections.filter((c) => /^HTTP\/1\.1 408 /.test(c.received)).length,
    ).toBeGreaterThan(0);
  });

  it('answers a body over HTTP_BODY_LIMIT_BYTES with 413 in the JSON error shape', async () => {
    const answer = await postJson(`${stack.gatewayUrl}/projects/`, {
      title: 'x'.repeat(BODY_LIMIT),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const fits = await postJson(`${stack.gatewayUrl}/projects/`, {
      title: 'x'.repeat(BODY_LIMIT - 100),
    });
    expect(fits.status).toBe(400); // past the body limit check: the title's own bound names it
    expect(fits.body).toMatchObject({ field: 'title' });
  });

  it('closes a keep-alive connection after HTTP_MAX_REQUESTS_PER_SOCKET requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const gateway = stack.gateways[0];
    const seen: Array<{ connection: string | undefined; socket: unknown }> = [];
    try {
      for (let i = 0; i < 4; i++)
        seen.push(
          await new Promise((resolve, reject) => {
            const req = request(
              {
                host: gateway.host,
                port: gateway.port,
                path: '/projects/',
                method: 'POST',
                agent,
                headers: { 'content-type': 'application/json' },
              },
              (res) => {
                res.resume();
                res.on('end', () =>
                  resolve({ connection: res.headers.connection, socket: req.socket }),
                );
              },
            );
            req.on('error', reject);
            req.end(JSON.stringify({ title: `k${i}` }));
          }),
        );
    } finally {
      agent.destroy();
    }
    expect(seen.map((s) => s.connection)).toEqual([
      'keep-alive',
      'keep-alive',
      'close',
      'keep-alive',
    ]);
    expect(seen[1].socket).toBe(seen[0].socket);
    expect(seen[3].socket).not.toBe(seen[0].socket);
  });
});
