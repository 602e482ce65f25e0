import { Stack } from '../../process-topology/index.ts';
import { postJson } from '../support/http.ts';

const ORIGIN = 'https://app.example.test';

/** What every public answer must carry, success or error. */
function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-powered-by')).toBeNull();
  expect(headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
}

describe('security headers, default gateway (CORS off)', () => {
  const stack = new Stack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('on successes (cacheable as before) and on errors (never cached)', async () => {
    const ok = await postJson(`${stack.gatewayUrl}/projects/`, { title: 'h' });
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok.headers);
    expect(ok.headers.get('cache-control')).toBeNull();
    expect(ok.headers.get('cross-origin-resource-policy')).toBe('same-origin');

    for (const [path, body, status] of [
      ['/projects/', { title: '' }, 400],
      ['/nowhere', {}, 404],
    ] as const) {
      const error = await postJson(`${stack.gatewayUrl}${path}`, body);
      expect(error.status).toBe(status);
      expectSecurityHeaders(error.headers);
      expect(error.headers.get('cache-control')).toBe('no-store');
    }
    const wrongMethod = await fetch(`${stack.gatewayUrl}/verify/`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('cache-control')).toBe('no-store');
    expectSecurityHeaders(wrongMethod.headers);
  });

  it('answers no CORS headers: a cross-origin preflight finds no route', async () => {
    const preflight = await fetch(`${stack.gatewayUrl}/projects/`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    await preflight.arrayBuffer();
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(405);
  });
});

describe('CORS on (one allowed origin)', () => {
  const stack = new Stack({
    env: { gateway: { CORS_ALLOWED_ORIGINS: ORIGIN, CORS_MAX_AGE_S: '120' } },
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  const preflight = (origin: string) =>
    fetch(`${stack.gatewayUrl}/projects/`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-api-key',
      },
    });

  it('answers the preflight of an allowed origin itself, with the configured methods, headers and max age', async () => {
    const answer = await preflight(ORIGIN);
    await answer.arrayBuffer();
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(answer.headers.get('access-control-allow-methods')).toBe('POST');
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/content-type.*x-api-key/);
    expect(answer.headers.get('access-control-max-age')).toBe('120');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('allows no other origin', async () => {
    const answer = await preflight('https://evil.example.test');
    await answer.arrayBuffer();
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const post = await postJson(
      `${stack.gatewayUrl}/projects/`,
      { title: 'c' },
      { origin: 'https://evil.example.test' },
    );
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the allowed origin read answers and their request id; unknown paths stay 404', async () => {
    const post = await postJson(
      `${stack.gatewayUrl}/projects/`,
      { title: 'c' },
      { origin: ORIGIN },
    );
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(post.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    expect(post.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expectSecurityHeaders(post.headers);
    const unknown = await fetch(`${stack.gatewayUrl}/nowhere`);
    await unknown.arrayBuffer();
    expect(unknown.status).toBe(404);
  });
});
