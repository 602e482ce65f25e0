import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppProcess,
  appEntry,
  LOCAL_PORTS,
  randomLoopbackNet,
  Stack,
} from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/http.ts';
import { JwksServer, signingKey, signJwt } from '../support/jwt-issuer.ts';
import { sample, scrape } from '../support/metrics.ts';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'gateway-e2e';
const COOLDOWN_MS = 4000;
const KEY_A = 'key-a-3f9c1b7e0d2a4c6e8f1a3b5c7d9e0f21';
const KEY_B = 'key-b-7a1c3e5f7b9d1f3a5c7e9b1d3f5a7c90';
const KEY_NEW = 'key-new-0e2c4a6b8d0f2e4c6a8b0d2f4e6c8a01';

// The gateway with API keys on /projects (a mounted Secret file, reloaded) and JWTs with a scope
// on /verify, against a JWKS server on loopback: every way in, and every way of being refused.
describe('authentication at the edge: API keys and JWT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-'));
  const keyFile = join(dir, 'api-keys');
  const jwks = new JwksServer();
  const rs = signingKey('rs-1', 'RS256');
  const es = signingKey('es-1', 'ES256');
  const ed = signingKey('ed-1', 'EdDSA');
  const impostor = signingKey('rs-1', 'RS256'); // same kid, other key: a forged signature
  let stack: Stack;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-42',
    exp: now() + 300,
    scope: 'users.read users.verify',
    ...extra,
  });
  const project = (headers: Record<string, string>) =>
    postJson(`${stack.gatewayUrl}/projects/`, { title: 'auth' }, headers);
  const verify = (token: string | undefined) =>
    postJson(
      `${stack.gatewayUrl}/verify/`,
      { id: 7, token: 'a' },
      token === undefined ? {} : { authorization: `Bearer ${token}` },
    );
  /** Replaces the key file as Kubernetes does: a new file renamed over the old one. */
  const writeKeys = (keys: string[]) => {
    writeFileSync(`${keyFile}.tmp`, `# rotated\n${keys.join('\n')}\n`);
    renameSync(`${keyFile}.tmp`, keyFile);
  };

  beforeAll(async () => {
    writeKeys([KEY_A, KEY_B]);
    await jwks.start('127.0.0.1');
    jwks.keys = [rs, es, ed];
    stack = new Stack({
      env: {
        gateway: {
          AUTH_ROUTES: '/projects=api-key,/verify=jwt:users.verify',
          AUTH_API_KEYS_FILE: keyFile,
          AUTH_API_KEYS_RELOAD_MS: '100',
          AUTH_JWT_JWKS_URL: jwks.url,
          AUTH_JWT_ISSUER: ISSUER,
          AUTH_JWT_AUDIENCE: AUDIENCE,
          AUTH_JWT_CLOCK_SKEW_S: '30',
          AUTH_JWT_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
          RATE_LIMIT_LIMIT: '1000',
          RATE_LIMIT_WINDOW_MS: '600000',
        },
      },
    });
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    await jwks.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('API key route: 401 with a challenge without or with a wrong key, 200 with a valid one', async () => {
    const missing = await project({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="gateway"');
    expect(missing.body).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      reason: 'missing',
    });
    expect(missing.headers.get('cache-control')).toBe('no-store');

    const wrong = await project({ 'x-api-key': `${KEY_A}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(
      'Bearer realm="gateway", error="invalid_token"',
    );
    expect(wrong.body).toMatchObject({ message: 'API key is not valid', reason: 'invalid' });

    expect((await project({ 'x-api-key': KEY_A })).status).toBe(200);
    expect((await project({ authorization: `Bearer ${KEY_B}` })).status).toBe(200);
    expect((await project({ authorization: `bearer ${KEY_B}` })).status).toBe(200);
  });

  it('the rate limiter counts each API key on its own, though both come from one address', async () => {
    const remaining = async (key: string) => {
      const answer = await project({ 'x-api-key': key });
      expect(answer.status).toBe(200);
      return Number(/r=(\d+)/.exec(answer.headers.get('ratelimit') ?? '')?.[1]);
    };
    const a1 = await remaining(KEY_A);
    const b1 = await remaining(KEY_B);
    const b2 = await remaining(KEY_B);
    const b3 = await remaining(KEY_B);
    const a2 = await remaining(KEY_A);
    // Keyed by address, B's three requests would have drained A's budget too.
    expect([b2, b3]).toEqual([b1 - 1, b1 - 2]);
    expect(a2).toBe(a1 - 1);
  });

  it('a rotated key file takes effect without a restart: new key in, then old key out', async () => {
    const pid = stack.gateways[0].pid;
    expect((await project({ 'x-api-key': KEY_NEW })).status).toBe(401);
    writeKeys([KEY_A, KEY_NEW]);
    await waitForStatus(() => project({ 'x-api-key': KEY_NEW }), 200);
    expect((await project({ 'x-api-key': KEY_A })).status).toBe(200);
    writeKeys([KEY_NEW]);
    await waitForStatus(() => project({ 'x-api-key': KEY_A }), 401);
    expect((await project({ 'x-api-key': KEY_NEW })).status).toBe(200);
    expect(stack.gateways[0].pid).toBe(pid);
    await eventually(() =>
      expect(stack.gateways[0].logs).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'API keys reloaded', keys: 1 }),
      ),
    );
  });

  it('JWT route: RS256, ES256 and EdDSA tokens from the JWKS pass', async () => {
    for (const key of [rs, es, ed]) {
      const answer = await verify(signJwt(key, claims()));
      expect({ alg: key.alg, status: answer.status }).toEqual({ alg: key.alg, status: 200 });
    }
    // Within the clock skew (30 s): expired 10 s ago still passes.
    expect((await verify(signJwt(rs, claims({ exp: now() - 10 })))).status).toBe(200);
  });

  it.each([
    ['no token', () => undefined, 'missing'],
    ['expired', () => signJwt(rs, claims({ exp: now() - 120 })), 'expired'],
    ['not yet valid', () => signJwt(rs, claims({ nbf: now() + 120 })), 'invalid'],
    ['wrong issuer', () => signJwt(rs, claims({ iss: 'https://evil.test' })), 'invalid'],
    ['wrong audience', () => signJwt(rs, claims({ aud: 'other-service' })), 'invalid'],
    ['forged signature', () => signJwt(impostor, claims()), 'invalid'],
    ['alg none', () => `${signJwt(rs, claims()).split('.').slice(0, 2).join('.')}.`, 'invalid'],
    ['HS256', () => signJwt(rs, claims(), { alg: 'HS256' }), 'invalid'],
    ['garbage', () => 'not.a.jwt', 'invalid'],
  ])('JWT route: %s -> 401 in the JSON error shape', async (_name, token, reason) => {
    const answer = await verify(token());
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', reason });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="gateway"/);
    expect(answer.text).not.toMatch(/at .*\.js|stack/i);
  });

  it('JWT route: a valid token without the route scope -> 403 insufficient_scope', async () => {
    const answer = await verify(signJwt(es, claims({ scope: 'users.read' })));
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ statusCode: 403, error: 'Forbidden', reason: 'forbidden' });
    expect(answer.headers.get('www-authenticate')).toBe(
      'Bearer realm="gateway", error="insufficient_scope", scope="users.verify"',
    );
    // `scp` as a list is honoured too.
    expect(
      (await verify(signJwt(es, claims({ scope: undefined, scp: ['users.verify'] })))).status,
    ).toBe(200);
  });

  it('a key added to the JWKS is fetched on its unknown kid; unknown kids refetch at most once per cooldown', async () => {
    const started = Date.now();
    const before = jwks.fetches;
    const unknown = signingKey('unknown-1', 'ES256');
    for (let i = 0; i < 20; i++)
      expect((await verify(signJwt(unknown, claims()))).status).toBe(401);
    const rotated = signingKey('rs-2', 'RS256');
    jwks.keys = [rotated, rs];
    await waitForStatus(() => verify(signJwt(rotated, claims())), 200, 4 * COOLDOWN_MS);
    const elapsed = Date.now() - started;
    const fetched = jwks.fetches - before;
    console.log(
      `[auth] JWKS fetches for 20 unknown-kid tokens + 1 rotation: ${fetched} in ${elapsed} ms (cooldown ${COOLDOWN_MS} ms)`,
    );
    expect(fetched).toBeGreaterThanOrEqual(1);
    expect(fetched).toBeLessThanOrEqual(1 + Math.ceil(elapsed / COOLDOWN_MS));
  });

  it('counts failures by reason; no credential reaches a log line or a metric', async () => {
    const metrics = await scrape(stack.gateways[0].adminUrl);
    expect(sample(metrics, 'auth_failures_total', { reason: 'missing' })).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'auth_failures_total', { reason: 'invalid' })).toBeGreaterThanOrEqual(8);
    expect(sample(metrics, 'auth_failures_total', { reason: 'expired' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'auth_failures_total', { reason: 'forbidden' })).toBeGreaterThanOrEqual(
      1,
    );
    const token = signJwt(rs, claims());
    await verify(token);
    const signature = token.split('.')[2];
    await eventually(() => expect(stack.gateways[0].logs.length).toBeGreaterThan(10));
    const everything = [...stack.gateways[0].rawLines, metrics].join('\n');
    for (const secret of [KEY_A, KEY_B, KEY_NEW, signature])
      expect(everything).not.toContain(secret);
  });
});

/** Waits until a request answers `status` (key files and JWKS are re-read asynchronously). */
async function waitForStatus(
  request: () => Promise<{ status: number }>,
  status: number,
  timeoutMs = 10_000,
): Promise<void> {
  await eventually(
    async () => {
      const got = (await request()).status;
      if (got !== status) throw new Error(`still ${got}, expected ${status}`);
    },
    { timeoutMs },
  );
}

// A static public key instead of a JWKS (no issuer server at all); no backend runs, so an accepted
// token reaches the upstream step and gets its 503, a refused one never gets that far.
describe('authentication with a static public key (AUTH_JWT_PUBLIC_KEY_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-key-'));
  const key = signingKey('static', 'EdDSA');
  const gateway = new AppProcess({
    app: 'gateway',
    name: 'gateway#static-key',
    host: `${randomLoopbackNet()}.31`,
    ...LOCAL_PORTS.gateway,
    env: {
      AUTH_DEFAULT: 'jwt',
      AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem'),
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWT_CLOCK_SKEW_S: '0',
      WEBAPP_URL: 'http://127.0.0.1:1',
      RPC_TARGET: 'ipv4:127.0.0.1:1',
    },
  });
  const call = (token: string) =>
    postJson(
      `http://${gateway.address}/projects/`,
      { title: 't' },
      { authorization: `Bearer ${token}` },
    );
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'svc',
    exp: Math.floor(Date.now() / 1000) + 60,
    ...extra,
  });

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'public.pem'),
      createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }),
    );
    gateway.start();
    await gateway.waitReady();
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a token signed by the key, refuses another key and (without skew) a just-expired token', async () => {
    const accepted = await call(signJwt(key, claims()));
    expect(accepted.status).toBe(503);
    expect(accepted.body).toMatchObject({ upstream: 'webapp-1' });
    expect((await call(signJwt(signingKey('static', 'EdDSA'), claims()))).status).toBe(401);
    const expired = await call(signJwt(key, claims({ exp: Math.floor(Date.now() / 1000) - 2 })));
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ reason: 'expired', message: 'token expired' });
  });
});

describe('authentication configuration errors stop start-up with one line', () => {
  it.each([
    [{ AUTH_DEFAULT: 'api-key' }, /AUTH_API_KEYS_FILE: api-key authentication needs/],
    [
      {
        AUTH_DEFAULT: 'jwt',
        AUTH_JWT_PUBLIC_KEY_FILE: '/etc/hostname',
        AUTH_JWT_ISSUER: 'i',
        AUTH_JWT_AUDIENCE: 'a',
      },
      /^Invalid configuration: AUTH_JWT_PUBLIC_KEY_FILE: cannot use \/etc\/hostname/,
    ],
    [{ AUTH_ROUTES: '/nowhere=none' }, /AUTH_ROUTES: the gateway serves no route \/nowhere/],
    [
      { AUTH_DEFAULT: 'api-key', AUTH_API_KEYS_FILE: '/nonexistent/keys' },
      /^Invalid configuration: AUTH_API_KEYS_FILE: cannot use \/nonexistent\/keys \(ENOENT\)$/,
    ],
  ])('%j', (env, message) => {
    const result = spawnSync(process.execPath, [appEntry('gateway')], {
      env: { PATH: process.env.PATH, HOST: `${randomLoopbackNet()}.31`, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
      level: 'fatal',
      msg: expect.stringMatching(message),
    });
  });
});
