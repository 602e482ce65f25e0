import type { Route, RouteRedirect } from '@app/routes';
import { compileTable } from './compiled-table';
import { answerFromTable, testRoute } from './compiled-table.fixture';
import { type RedirectSource, redirectLocation } from './redirect-route';

const redirect = (part: Partial<RouteRedirect>): RouteRedirect => ({
  scheme: null,
  hostname: null,
  port: null,
  path: null,
  statusCode: 302,
  ...part,
});

const http = (host: string, url = '/old/a?x=1'): RedirectSource => ({ scheme: 'http', host, url });
const https = (host: string, url = '/old/a?x=1'): RedirectSource => ({
  scheme: 'https',
  host,
  url,
});

describe('redirectLocation (Gateway API HTTPRequestRedirectFilter)', () => {
  it.each<[string, Partial<RouteRedirect>, RedirectSource, string]>([
    [
      'nothing changed keeps the request URL',
      {},
      http('a.test:8080'),
      'http://a.test:8080/old/a?x=1',
    ],
    ['nothing changed, no port in Host', {}, http('a.test'), 'http://a.test/old/a?x=1'],
    ['nothing changed over https', {}, https('a.test'), 'https://a.test/old/a?x=1'],
    [
      'hostname only keeps the port the client used',
      { hostname: 'b.test' },
      http('a.test:8080'),
      'http://b.test:8080/old/a?x=1',
    ],
    [
      'hostname, request on the well-known port',
      { hostname: 'b.test' },
      http('a.test:80'),
      'http://b.test/old/a?x=1',
    ],
    // A new scheme without a port: its well-known port, left out.
    [
      'scheme https from http',
      { scheme: 'https' },
      http('a.test:8080'),
      'https://a.test/old/a?x=1',
    ],
    ['scheme http from https', { scheme: 'http' }, https('a.test:8443'), 'http://a.test/old/a?x=1'],
    [
      'the same scheme named still takes its well-known port',
      { scheme: 'http' },
      http('a.test:8080'),
      'http://a.test/old/a?x=1',
    ],
    [
      'scheme and port',
      { scheme: 'https', port: 8443 },
      http('a.test:8080'),
      'https://a.test:8443/old/a?x=1',
    ],
    [
      'scheme https and port 443: left out',
      { scheme: 'https', port: 443 },
      http('a.test'),
      'https://a.test/old/a?x=1',
    ],
    [
      'port only, on the request scheme',
      { port: 9000 },
      http('a.test:8080'),
      'http://a.test:9000/old/a?x=1',
    ],
    ['port 80 on http: left out', { port: 80 }, http('a.test:8080'), 'http://a.test/old/a?x=1'],
    ['port 80 on https: kept', { port: 80 }, https('a.test'), 'https://a.test:80/old/a?x=1'],
    ['port 443 on http: kept', { port: 443 }, http('a.test'), 'http://a.test:443/old/a?x=1'],
    [
      'full path',
      { path: { kind: 'full', path: '/moved' } },
      http('a.test'),
      'http://a.test/moved?x=1',
    ],
    [
      'prefix path',
      { path: { kind: 'prefix', prefix: '/new' } },
      http('a.test'),
      'http://a.test/new/a?x=1',
    ],
    [
      'prefix path to the root',
      { path: { kind: 'prefix', prefix: '/' } },
      http('a.test'),
      'http://a.test/a?x=1',
    ],
    [
      'prefix path of the prefix itself',
      { path: { kind: 'prefix', prefix: '/new' } },
      http('a.test', '/old'),
      'http://a.test/new',
    ],
    [
      'prefix path keeps a trailing slash',
      { path: { kind: 'prefix', prefix: '/new' } },
      http('a.test', '/old/'),
      'http://a.test/new/',
    ],
    ['IPv6 host with port', {}, http('[::1]:8080'), 'http://[::1]:8080/old/a?x=1'],
    ['IPv6 host without port', { scheme: 'https' }, http('[::1]'), 'https://[::1]/old/a?x=1'],
    [
      'every part',
      { scheme: 'https', hostname: 'b.test', port: 8443, path: { kind: 'full', path: '/x' } },
      http('a.test:8080', '/old/a'),
      'https://b.test:8443/x',
    ],
  ])('%s', (_, part, source, location) => {
    expect(redirectLocation(redirect(part), source, '/old')).toBe(location);
  });
});

describe('a redirect route in a compiled table', () => {
  function answer(route: Route, url: string, method: 'GET' | 'POST' = 'GET') {
    const compiled = compileTable({ upstreams: [], routes: [route], version: 'test' }, new Map());
    return answerFromTable(compiled, { method, url, headers: { host: 'gw.test:3000' } });
  }

  it.each([301, 302, 303, 307, 308] as const)(
    'answers %d with the Location and no body',
    async (statusCode) => {
      const response = await answer(
        testRoute({ redirect: redirect({ scheme: 'https', statusCode }) }),
        '/old/a?x=1',
        'POST',
      );
      expect(response.statusCode).toBe(statusCode);
      expect(response.headers.location).toBe('https://gw.test/old/a?x=1');
      expect(response.body).toBe('');
    },
  );

  it('applies its response header edits to the redirect', async () => {
    const response = await answer(
      testRoute({
        redirect: redirect({ path: { kind: 'prefix', prefix: '/new' } }),
        responseHeaders: {
          set: [{ name: 'cache-control', value: 'max-age=60' }],
          add: [],
          remove: [],
        },
      }),
      '/old/b',
    );
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('http://gw.test:3000/new/b');
    expect(response.headers['cache-control']).toBe('max-age=60');
  });

  it('refuses a route with neither upstream nor redirect', () => {
    expect(() =>
      compileTable({ upstreams: [], routes: [testRoute({})], version: 'test' }, new Map()),
    ).toThrow('route "old": no upstream, redirect or respond');
  });
});

describe('a respond route in a compiled table', () => {
  it("answers its status with the stack's JSON error body, calling nothing", async () => {
    const compiled = compileTable(
      {
        upstreams: [],
        routes: [testRoute({ respond: { status: 500, message: 'backend not found' } })],
        version: 'test',
      },
      new Map(),
    );
    const response = await answerFromTable(compiled, { method: 'POST', url: '/old/a' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'backend not found',
    });
  });
});
