import { HttpException, Logger } from '@nestjs/common';
import { AxiosError, type AxiosInstance } from 'axios';
import { CircuitOpenException } from '../circuit-breaker';
import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { type TrafficPolicy, trafficPolicy } from '../traffic-policy';
import { UpstreamException } from '../upstream.exception';
import { testUpstreamMetrics } from '../upstream-metrics.fixture';
import type { UpstreamStates } from '../upstream-states';
import { HttpUpstream } from './http-upstream';

// The production defaults, with a small breaker volume and ejections that outlast the test.
const policy = trafficPolicy(
  loadConfig(gatewayEnv, {
    BREAKER_VOLUME_THRESHOLD: '10',
    BREAKER_RESET_TIMEOUT_MS: '60000',
    WEBAPP_OUTLIER_CONSECUTIVE_FAILURES: '2',
    OUTLIER_BASE_EJECTION_MS: '60000',
    OUTLIER_MAX_EJECTION_MS: '60000',
    UPSTREAM_DNS_REFRESH_MS: '60000',
  }),
);

type Behaviour = 'ok' | 'refused' | 'reset' | 'hangup' | 'hang' | 500 | 400;

/** A fake axios: each replica (by address) behaves as told and records what it was sent. */
function fakeAxios(behaviour: Record<string, Behaviour>) {
  const sent: Array<{ url: string; host: string; requestId: string; timeout: number }> = [];
  const json = (status: number, data: unknown) => ({
    status,
    headers: { 'content-type': 'application/json' },
    data: Buffer.from(JSON.stringify(data)),
  });
  const request = jest.fn(
    async ({
      url,
      ...config
    }: {
      url: string;
      headers: Record<string, string>;
      timeout: number;
    }) => {
      const replica = new URL(url).hostname;
      sent.push({
        url,
        host: config.headers.host,
        requestId: config.headers['x-request-id'],
        timeout: config.timeout,
      });
      const error = (code: string, syscall?: string) =>
        AxiosError.from(Object.assign(new Error(code), { code, syscall }), code);
      switch (behaviour[replica]) {
        case 'refused':
          throw error('ECONNREFUSED', 'connect');
        case 'reset':
          throw error('ECONNRESET', 'read');
        case 'hangup':
          throw error('ECONNRESET');
        case 'hang':
          // Accepted, never answered: the attempt ends at its own timeout, as undici's would.
          await new Promise((resolve) => setTimeout(resolve, config.timeout));
          throw error('ECONNABORTED');
        case 500:
          return json(500, { message: 'boom' });
        case 400:
          return json(400, { message: 'title is required' });
        default:
          return json(200, { id: 1, url: `Project-from-${replica}` });
      }
    },
  );
  return { axios: { request } as unknown as AxiosInstance, sent };
}

async function upstream(
  behaviour: Record<string, Behaviour>,
  overrides: Partial<TrafficPolicy> = {},
) {
  const { axios, sent } = fakeAxios(behaviour);
  const { recorder, value } = testUpstreamMetrics();
  const states = { register: jest.fn(), warmUp: jest.fn() } as unknown as UpstreamStates;
  const http = new HttpUpstream(
    axios,
    {
      name: 'webapp-1',
      url: 'http://webapp.test:5000',
      timeoutMs: 1000,
      policy: { ...policy, ...overrides },
      resolve: async () => Object.keys(behaviour),
    },
    recorder,
    states,
  );
  await http.start();
  return { http, sent, value };
}

describe('HttpUpstream', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const instances: HttpUpstream[] = [];
  afterEach(() => instances.splice(0).forEach((i) => i.stop()));
  async function make(...args: Parameters<typeof upstream>) {
    const made = await upstream(...args);
    instances.push(made.http);
    return made;
  }

  it('sends each request to the next replica, addressed by IP, with the configured name as Host', async () => {
    const { http, sent } = await make({ a: 'ok', b: 'ok', c: 'ok' });
    for (let i = 0; i < 6; i++) await http.postJson('/create', { title: 'x' }, `req-${i}`);
    expect(sent.map((s) => s.url)).toEqual([
      'http://a:5000/create',
      'http://b:5000/create',
      'http://c:5000/create',
      'http://a:5000/create',
      'http://b:5000/create',
      'http://c:5000/create',
    ]);
    expect(new Set(sent.map((s) => s.host))).toEqual(new Set(['webapp.test:5000']));
    expect(sent[3].requestId).toBe('req-3');
  });

  it.each(['refused', 'reset'] as const)(
    'retries a %s attempt on a different replica, and ejects a refusing one',
    async (failure) => {
      const { http, sent, value } = await make({ a: failure, b: 'ok', c: 'ok' });
      await expect(http.postJson('/create', {}, 'r')).resolves.toEqual({
        id: 1,
        url: 'Project-from-b',
      });
      expect(sent.map((s) => new URL(s.url).hostname)).toEqual(['a', 'b']);
      expect(await value('r', { upstream: 'webapp-1' })).toBe(1);
      if (failure === 'refused') {
        for (let i = 0; i < 4; i++) await http.postJson('/create', {}, 'r');
        expect(sent.filter((s) => s.url.includes('//a:'))).toHaveLength(1);
        expect(await value('e')).toBe(1);
      }
    },
  );

  it('never retries a request the replica may have processed (hang-up: 502; 5xx: 502)', async () => {
    for (const behaviour of ['hangup', 500] as const) {
      const { http, sent } = await make({ a: behaviour, b: 'ok' });
      const error = await http.postJson('/create', {}, 'r').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UpstreamException);
      expect((error as UpstreamException).getStatus()).toBe(502);
      expect(sent).toHaveLength(1);
    }
  });

  it("passes the replica's 4xx through and counts it as a healthy answer", async () => {
    const { http, value } = await make({ a: 400 });
    for (let i = 0; i < 20; i++) {
      const error = await http.postJson('/create', {}, 'r').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(HttpException);
      expect((error as HttpException).getStatus()).toBe(400);
      expect((error as HttpException).getResponse()).toEqual({ message: 'title is required' });
    }
    expect(await value('e')).toBe(0);
    expect(await value('d', { outcome: 'client_error' })).toBeGreaterThan(0);
  });

  it('stops after RETRY_MAX_ATTEMPTS and when the retry budget is spent', async () => {
    const { http, sent } = await make({
      a: 'reset',
      b: 'reset',
      c: 'reset',
      d: 'reset',
      e: 'reset',
    });
    await expect(http.postJson('/create', {}, 'r')).rejects.toMatchObject({
      failure: 'unavailable',
    });
    expect(sent).toHaveLength(3);
    // The budget (20 tokens, retries while > 10) allows about 10 retries in a row, then none.
    sent.length = 0;
    for (let i = 0; i < 20; i++) await http.postJson('/create', {}, 'r').catch(() => undefined);
    expect(sent.length).toBeLessThanOrEqual(20 + 10);
  });

  it('opens the breaker after BREAKER_CONSECUTIVE_UNAVAILABLE calls that reached no replica: 503 with Retry-After, no more calls', async () => {
    const { http, sent, value } = await make({ a: 'refused', b: 'refused' });
    for (let i = 0; i < policy.breaker.consecutiveUnavailable; i++)
      await expect(http.postJson('/create', {}, 'r')).rejects.not.toBeInstanceOf(
        CircuitOpenException,
      );
    const calls = sent.length;
    const error = await http.postJson('/create', {}, 'r').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CircuitOpenException);
    expect((error as CircuitOpenException).headers['retry-after']).toBe('60');
    expect(sent).toHaveLength(calls);
    expect(await value('t', { state: 'open' })).toBe(1);
    expect(await value('d', { outcome: 'circuit_open' })).toBe(1);
  });

  describe('a replica that accepts and never answers', () => {
    const PER_TRY_MS = 40;
    const request = {
      method: 'POST',
      path: '/create',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{}'),
      requestId: 'r',
    };
    const budget = (idempotent: boolean) => ({
      timeoutMs: 1000,
      maxAttempts: undefined,
      idempotent,
      perTryTimeoutMs: undefined,
    });
    const hosts = (sent: Array<{ url: string }>) => sent.map((s) => new URL(s.url).hostname);
    const perTry = { retry: { ...policy.retry, perTryTimeoutMs: PER_TRY_MS } };

    it('an idempotent call abandons the attempt at the per-try timeout and retries on another replica', async () => {
      const { http, sent } = await make({ a: 'hang', b: 'ok', c: 'ok' }, perTry);
      const response = await http.forward(request, budget(true));
      expect(response.status).toBe(200);
      expect(hosts(sent)).toEqual(['a', 'b']);
      expect(sent[0].timeout).toBeLessThanOrEqual(PER_TRY_MS);
    });

    it('the last attempt of an idempotent call gets what is left of the deadline: no retry could follow', async () => {
      const { http, sent } = await make({ a: 'hang', b: 'ok', c: 'ok' }, perTry);
      const error = await http
        .forward(request, { ...budget(true), maxAttempts: 1 })
        .catch((err: unknown) => err);
      expect((error as UpstreamException).getStatus()).toBe(504);
      expect(hosts(sent)).toEqual(['a']);
      expect(sent[0].timeout).toBeGreaterThan(PER_TRY_MS);
    });

    it('a call that may not run twice gets the whole deadline in one attempt: 504, not retried', async () => {
      const { http, sent } = await make({ a: 'hang', b: 'ok', c: 'ok' }, perTry);
      const error = await http.forward(request, budget(false)).catch((err: unknown) => err);
      expect((error as UpstreamException).getStatus()).toBe(504);
      expect(hosts(sent)).toEqual(['a']);
      expect(sent[0].timeout).toBeGreaterThan(PER_TRY_MS);
    });

    it('while it holds a request, new requests go to the replicas that answer (least request)', async () => {
      const { http, sent } = await make({ a: 'hang', b: 'ok', c: 'ok' });
      const stuck = http.forward(request, budget(false)).catch(() => undefined);
      for (let i = 0; i < 9; i++) await http.forward(request, budget(false));
      expect(hosts(sent)[0]).toBe('a');
      expect(hosts(sent).slice(1)).not.toContain('a');
      await stuck;
    });

    it('is ejected after WEBAPP_OUTLIER_CONSECUTIVE_FAILURES timeouts in a row', async () => {
      const { http, sent, value } = await make({ a: 'hang', b: 'ok' }, perTry);
      // Two endpoints: an idempotent call tries a (times out), then b.
      for (let i = 0; i < policy.outlier.consecutiveFailures; i++)
        await http.forward(request, budget(true));
      expect(await value('e')).toBe(1);
      const before = sent.length;
      for (let i = 0; i < 6; i++) await http.forward(request, budget(true));
      expect(hosts(sent.slice(before))).toEqual(Array(6).fill('b'));
    });
  });
});
