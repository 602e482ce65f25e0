import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, type Stack } from '../../process-topology/index.ts';
import { postJson } from '../support/http.ts';
import { testStack } from '../support/stack.ts';

// Header and query matches of the route file (docs/route-file.md, `match.headers`,
// `match.query`): three routes on POST /verify of a real gateway - one by a header, one by a
// query parameter, one without conditions - reach two real upstreams: webapp-1 over HTTP (its
// /create, through a rewrite) and rpc-app-1's VerifyUser over gRPC.
describe('routes matched by header and query (ROUTES_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'route-conditions-'));
  const file = join(dir, 'routes.yaml');
  let stack: Stack;

  beforeAll(async () => {
    stack = testStack({ env: { gateway: { ROUTES_FILE: file } } });
    const toWebapp = { upstream: 'webapp-1' };
    const verify = { methods: ['POST'], path: { exact: '/verify' } };
    writeFileSync(
      file,
      stringify({
        formatVersion: 1,
        upstreams: {
          'webapp-1': {
            kind: 'http',
            urls: stack.webappUrl().split(','),
            rewrite: { prefix: '/verify', replacement: '/create' },
          },
          'rpc-app-1': {
            kind: 'grpc',
            target: stack.rpcTarget(),
            protos: [join(repoRoot(), 'proto/userverify.proto')],
          },
        },
        routes: [
          {
            name: 'verify',
            match: verify,
            upstream: 'rpc-app-1',
            grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
          },
          {
            name: 'verify-by-header',
            match: { ...verify, headers: { 'x-backend': 'webapp' } },
            ...toWebapp,
          },
          {
            name: 'verify-by-query',
            match: { ...verify, query: { backend: 'webapp' } },
            ...toWebapp,
          },
        ],
      }),
    );
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const project = { title: 'routed by its match' };
  // What webapp-1's /create answers for it.
  const created = { url: 'Project-routed by its match' };
  const user = { id: 7, token: 't' };

  it('sends a request with the header to webapp-1, whatever the case of its name', async () => {
    for (const name of ['x-backend', 'X-Backend']) {
      const reply = await postJson(`${stack.gatewayUrl}/verify`, project, { [name]: 'webapp' });
      expect({ name, status: reply.status, body: reply.body }).toMatchObject({
        name,
        status: 200,
        body: created,
      });
    }
  });

  it('sends a request with the query parameter to webapp-1', async () => {
    const reply = await postJson(`${stack.gatewayUrl}/verify?backend=webapp`, project);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject(created);
  });

  it('sends the rest of POST /verify to rpc-app-1: no header, or another value', async () => {
    for (const headers of [
      {},
      { 'x-backend': 'WEBAPP' },
      { 'x-backend': 'webapp, webapp' },
    ] as Record<string, string>[]) {
      const reply = await postJson(`${stack.gatewayUrl}/verify`, user, headers);
      expect({ headers, status: reply.status, body: reply.body }).toEqual({
        headers,
        status: 200,
        body: { message: 'Verified: 7' },
      });
    }
  });

  it('sends another query value or name to the gRPC route, which takes no query string', async () => {
    // rpc-app-1's route reads every field from the body: its 400 names the parameter.
    for (const [query, field] of [
      ['backend=rpc', 'backend'],
      ['Backend=webapp', 'Backend'],
    ]) {
      const reply = await postJson(`${stack.gatewayUrl}/verify?${query}`, user);
      expect({ query, status: reply.status, body: reply.body }).toMatchObject({
        query,
        status: 400,
        body: {
          field,
          message: `${field}: this route takes every field from the body, not the query string`,
        },
      });
    }
  });
});
