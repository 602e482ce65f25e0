import type { Stack } from '../../process-topology/index.ts';
import { testStack } from '../support/stack.ts';
import { eventually } from '../support/eventually.ts';
import { get, postJson } from '../support/http.ts';

// The public API of the original demo, its bad-input classes, and the request id across all three
// processes - on the real built apps.
describe('public API (gateway -> webapp-1 / rpc-app-1)', () => {
  const stack = testStack();
  let gateway: string;

  beforeAll(async () => {
    await stack.start();
    gateway = stack.gatewayUrl;
  });
  afterAll(() => stack.stop());

  describe('demo requests', () => {
    it.each(['/projects/', '/projects'])('POST %s creates a project', async (path) => {
      const res = await postJson(`${gateway}${path}`, { title: 'An awesome project' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: expect.any(Number), url: 'Project-An awesome project' });
      expect(Number.isInteger((res.body as { id: number }).id)).toBe(true);
    });

    it.each(['/verify/', '/verify'])('POST %s verifies a user', async (path) => {
      const res = await postJson(`${gateway}${path}`, { id: 121, token: 'a$$' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"message":"Verified: 121"}');
    });
  });

  describe('bad input gets a 400 JSON naming the problem, and never reaches an upstream', () => {
    it.each([
      ['/projects/', '{"title": "unterminated', undefined, /JSON/],
      ['/projects/', '[1, 2]', undefined, /JSON object/],
      ['/projects/', '', undefined, /empty|JSON object/],
      ['/projects/', {}, 'title', /title is required/],
      ['/projects/', { title: '' }, 'title', /title must not be empty/],
      ['/projects/', { title: 42 }, 'title', /title must be a string/],
      ['/projects/', { title: 'x'.repeat(1025) }, 'title', /title must be at most 1024 characters/],
      ['/verify/', { token: 'a$$' }, 'id', /id is required/],
      ['/verify/', { id: '121', token: 'a$$' }, 'id', /id must be an integer/],
      ['/verify/', { id: 1.5, token: 'a$$' }, 'id', /id must be an integer/],
      ['/verify/', { id: 2 ** 31, token: 'a$$' }, 'id', /between 1 and 2147483647/],
      ['/verify/', { id: 0, token: 'a$$' }, 'id', /between 1 and 2147483647/],
      ['/verify/', { id: 121 }, 'token', /token is required/],
      ['/verify/', { id: 121, token: '' }, 'token', /token must not be empty/],
      ['/verify/', { id: 121, token: 7 }, 'token', /token must be a string/],
    ])('%s %j -> 400 (%s)', async (path, body, field, message) => {
      const res = await postJson(`${gateway}${path}`, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(message),
      });
      if (field) expect(res.body).toMatchObject({ field });
      expect(res.text).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
    });

    it('counts no upstream call for rejected input', async () => {
      const before = await upstreamRequests(stack);
      await postJson(`${gateway}/projects/`, { title: '' });
      await postJson(`${gateway}/verify/`, { id: 0, token: 'x' });
      expect(await upstreamRequests(stack)).toEqual(before);
    });
  });

  describe('routing errors', () => {
    it('unknown route -> 404 JSON', async () => {
      const res = await get(`${gateway}/nowhere`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({
        statusCode: 404,
        message: expect.stringContaining('/nowhere'),
      });
    });

    it.each(['/projects/', '/verify'])('GET %s -> 405 JSON with Allow: POST', async (path) => {
      const res = await get(`${gateway}${path}`);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    });

    // Methods the gateway never serves reach no route; Fastify would read a QUERY's body first.
    it.each([
      ['QUERY', '/projects', 405],
      ['PROPFIND', '/verify', 405],
      ['QUERY', '/nowhere', 404],
    ])('%s %s without a body -> %i JSON', async (method, path, status) => {
      const res = await fetch(`${gateway}${path}`, { method });
      expect(res.status).toBe(status);
      if (status === 405) expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toMatchObject({ statusCode: status });
    });

    it('webapp-1 answers GET /create with 405 JSON too', async () => {
      const res = await get(`http://${stack.webapps[0].address}/create`);
      expect(res.status).toBe(405);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 405 });
    });

    it.each(['/metrics', '/_status/healthcheck', '/_status/liveness'])(
      'admin path %s is not served on the public port',
      async (path) => {
        expect((await get(`${gateway}${path}`)).status).toBe(404);
      },
    );
  });

  describe('request id', () => {
    it('a valid incoming X-Request-ID is echoed and logged by every process the request crosses', async () => {
      const requestId = `e2e-${Date.now()}`;
      const projects = await postJson(
        `${gateway}/projects/`,
        { title: 'traced' },
        { 'x-request-id': requestId },
      );
      const verify = await postJson(
        `${gateway}/verify/`,
        { id: 7, token: 't' },
        { 'x-request-id': `${requestId}-v` },
      );
      expect(projects.headers.get('x-request-id')).toBe(requestId);
      expect(verify.headers.get('x-request-id')).toBe(`${requestId}-v`);

      await eventually(() => {
        expect(linesWith(stack.gateways[0].logs, requestId)).not.toHaveLength(0);
        expect(linesWith(stack.webapps[0].logs, requestId)).not.toHaveLength(0);
        expect(linesWith(stack.gateways[0].logs, `${requestId}-v`)).not.toHaveLength(0);
        expect(linesWith(stack.rpcApps[0].logs, `${requestId}-v`)).not.toHaveLength(0);
      });
      for (const line of [
        ...linesWith(stack.webapps[0].logs, requestId),
        ...linesWith(stack.rpcApps[0].logs, `${requestId}-v`),
      ]) {
        expect(line.service).toMatch(/^(webapp-1|rpc-app-1)$/);
      }
    });

    it('a malformed incoming id is replaced by a generated one', async () => {
      const res = await postJson(
        `${gateway}/projects/`,
        { title: 'x' },
        { 'x-request-id': 'bad id with spaces' },
      );
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});

type Line = Record<string, unknown>;

function linesWith(logs: Line[], requestId: string): Line[] {
  return logs.filter((line) => line.request_id === requestId);
}

/** Requests served by the backends, from their own metrics. */
async function upstreamRequests(stack: Stack): Promise<number[]> {
  const counts: number[] = [];
  for (const p of [...stack.webapps, ...stack.rpcApps]) {
    const text = (await get(`${p.adminUrl}/metrics`)).text;
    const series = text
      .split('\n')
      .filter((l) =>
        /^(http_server_request_duration_seconds_count|grpc_server_handled_total)\{/.test(l),
      );
    counts.push(series.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0));
  }
  return counts;
}
