import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, Stack } from '../../process-topology/index.ts';
import { type Bookstore, BOOKSTORE_PROTO, startBookstore } from '../support/bookstore.ts';
import { requireTool } from '../support/tools.ts';

const COMMITTED = join(repoRoot(), 'docs/openapi.json');
// The seed routes' body contracts as the chart hands them to its route file.
const SEED_BODY_SCHEMAS = JSON.parse(
  readFileSync(join(repoRoot(), 'charts/gateway-stack/files/seed-body-schemas.json'), 'utf8'),
) as Record<'projects' | 'verify', Record<string, unknown>>;

interface Run {
  code: number | null;
  output: string;
  junit: string;
}

/** One bounded schemathesis run (it stops by itself; killed after 4 minutes all the same). */
function schemathesis(args: string[], dir: string, configFile?: string): Promise<Run> {
  const junit = join(dir, `junit-${Date.now()}.xml`);
  const command = requireTool('schemathesis', 'PyPI package schemathesis, in .tools/venv');
  return new Promise((resolve, reject) => {
    const child = spawn(
      command,
      [
        ...(configFile ? ['--config-file', configFile] : []),
        'run',
        ...args,
        '--workers',
        '1',
        '--seed',
        '42',
        '--generation-database',
        'none',
        '--no-color',
        '--request-timeout',
        '10',
        '--report',
        'junit',
        '--report-junit-path',
        junit,
      ],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: dir, SCHEMATHESIS_TELEMETRY: 'false' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let report = '';
      try {
        report = readFileSync(junit, 'utf8');
      } catch {
        // no report: the output says why
      }
      resolve({ code, output, junit: report });
    });
  });
}

const attribute = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );

// The contract: served by the gateway, equal to the committed copy, and honoured by the running
// stack under schemathesis' generated requests (valid and invalid): no 5xx, no answer outside it.
describe('OpenAPI contract of the public API, fuzzed by schemathesis', () => {
  const stack = new Stack({ env: { gateway: { RATE_LIMIT_LIMIT: '100000' } } });
  const dir = mkdtempSync(join(tmpdir(), 'edge-openapi-'));
  beforeAll(() => stack.start());
  afterAll(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served on the public port and equals docs/openapi.json (npm run openapi:gen writes it)', async () => {
    const response = await fetch(`${stack.gatewayUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await response.json()) as {
      paths: Record<string, { post: { security: unknown; responses: object } }>;
    };
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
    expect(Object.keys(served.paths)).toEqual(['/projects', '/verify']);
  });

  it('schemathesis: every check passes on both operations', async () => {
    const run = await schemathesis(
      [`${stack.gatewayUrl}/openapi.json`, '--checks', 'all', '--max-examples', '150'],
      dir,
    );
    const generated = /(\d+) generated/.exec(run.output)?.[1];
    const operations = /Tested: (\d+)/.exec(run.output)?.[1];
    const failures = attribute(run.junit, 'failures') + attribute(run.junit, 'errors');
    console.log(
      `[schemathesis] operations ${operations}, test cases ${generated}, failures ${failures}, exit ${run.code}`,
    );
    if (run.code !== 0) console.log(run.output);
    expect(run.code).toBe(0);
    expect(operations).toBe('2');
    expect(Number(generated)).toBeGreaterThan(100);
    expect(run.junit).toMatch(/<testsuite /);
    expect(failures).toBe(0);
    // Nothing the fuzzer sent made the gateway fail: no 5xx, no unhandled error.
    const gatewayLines = stack.gateways[0].logs;
    expect(gatewayLines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('schemathesis fails on a contract the gateway does not honour (the run can fail)', async () => {
    const wrong = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    // /verify's answer is VerifyReply (from the .proto): its message said to be a number.
    wrong.components.schemas['userverify.VerifyReply.output'].properties.message = {
      type: 'integer',
    };
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(wrong));
    const run = await schemathesis(
      [
        join(dir, 'wrong.json'),
        '--url',
        stack.gatewayUrl,
        '--checks',
        'response_schema_conformance',
        '--max-examples',
        '5',
        '--include-operation-id',
        'verify',
      ],
      dir,
    );
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Response violates schema/);
  });
});

// With authentication on, the served contract names the schemes per route, stays readable without
// credentials, and schemathesis (with a valid key) also checks that leaving the key out is refused.
describe('OpenAPI contract with API keys on every route', () => {
  const KEY = 'openapi-e2e-key-5c0f1e2d3b4a69788796a5b4c3d2e1f0';
  const stack = new Stack({
    env: { gateway: { AUTH_DEFAULT: 'api-key', AUTH_API_KEYS: KEY, RATE_LIMIT_LIMIT: '100000' } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'edge-openapi-auth-'));
  beforeAll(() => stack.start());
  afterAll(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares the API key schemes and 401 on both operations; needs no key itself', async () => {
    const response = await fetch(`${stack.gatewayUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as {
      paths: Record<string, { post: { security: unknown; responses: object } }>;
    };
    for (const path of ['/projects', '/verify']) {
      expect(served.paths[path].post.security).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
      expect(Object.keys(served.paths[path].post.responses)).toContain('401');
    }
  });

  it('schemathesis with a valid key: every check passes, ignored_auth included', async () => {
    const run = await schemathesis(
      [
        `${stack.gatewayUrl}/openapi.json`,
        '--checks',
        'all',
        '--max-examples',
        '50',
        '-H',
        `X-API-Key: ${KEY}`,
      ],
      dir,
    );
    const generated = /(\d+) generated/.exec(run.output)?.[1];
    console.log(`[schemathesis] with API keys: test cases ${generated}, exit ${run.code}`);
    if (run.code !== 0) console.log(run.output);
    expect(run.code).toBe(0);
    expect(attribute(run.junit, 'failures') + attribute(run.junit, 'errors')).toBe(0);
    expect(run.output).not.toContain(KEY);
  });
});

// A table as users write it: HTTP routes (one with a path rewrite and a body schema) and gRPC
// routes generated from google.api.http annotations (the seed's /verify and the Bookstore test
// service, path templates, query fields, additional bindings, a custom verb), all in one document
// that schemathesis holds the running gateway to.
describe('OpenAPI contract of a route table with several routes of both kinds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-openapi-table-'));
  const routesFile = join(dir, 'routes.yaml');
  const stack = new Stack({
    env: { gateway: { ROUTES_FILE: routesFile, RATE_LIMIT_LIMIT: '100000' } },
  });
  let bookstore: Bookstore;

  beforeAll(async () => {
    bookstore = await startBookstore();
    writeFileSync(
      routesFile,
      stringify({
        formatVersion: 1,
        upstreams: {
          'webapp-1': {
            kind: 'http',
            urls: stack.webappUrl().split(','),
            rewrite: { prefix: '/projects', replacement: '/create' },
          },
          'webapp-1-v2': {
            kind: 'http',
            urls: stack.webappUrl().split(','),
            rewrite: { prefix: '/v2/projects', replacement: '/create' },
          },
          'rpc-app-1': {
            kind: 'grpc',
            target: stack.rpcTarget(),
            protos: [join(repoRoot(), 'proto/userverify.proto')],
            httpRulesFromProtos: true,
          },
          shop: {
            kind: 'grpc',
            target: `ipv4:127.0.0.1:${bookstore.port}`,
            protos: [BOOKSTORE_PROTO],
            httpRulesFromProtos: true,
          },
        },
        routes: [
          // Without a body schema: any JSON body goes on to webapp-1 as it came.
          {
            name: 'projects',
            match: { methods: ['POST'], path: { exact: '/projects' } },
            upstream: 'webapp-1',
          },
          {
            name: 'projects-v2',
            match: { methods: ['POST'], path: { exact: '/v2/projects' } },
            upstream: 'webapp-1-v2',
            bodySchema: SEED_BODY_SCHEMAS.projects,
          },
          // Takes the requests of the annotation's route (listed as skipped) to add rpc-app-1's
          // own rules on the message (a positive id, a token), as the chart's seed route does.
          {
            name: 'verify',
            match: { methods: ['POST'], path: { exact: '/verify' } },
            upstream: 'rpc-app-1',
            grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
            bodySchema: SEED_BODY_SCHEMAS.verify,
          },
        ],
      }),
    );
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    await bookstore?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every route of the table, HTTP and transcoded gRPC', async () => {
    const response = await fetch(`${stack.gatewayUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operations = Object.values(served.paths).flatMap((byMethod) =>
      Object.values(byMethod).map((operation) => operation.operationId),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'projects',
        'projects-v2',
        'verify',
        'shop.getshelf',
        'shop.listbooks',
        'shop.getbook',
        'shop.getbook.1',
        'shop.createshelf',
        'shop.createshelf.1',
        'shop.archiveshelf',
      ]),
    );
  });

  it('schemathesis: every check passes on every operation', async () => {
    // Every check, as the CLI's default is, but on four operations where valid data may still be
    // refused, for reasons OpenAPI cannot state: `projects` passes any JSON body on to webapp-1,
    // which has rules of its own; ListBooks's query parameters `after` and `before` are one oneof,
    // of which a request may set one; a Book's `attachment` is an Any, whose fields follow its
    // `@type`. Every other check still runs on them (the CLI's `--checks` would override this).
    const config = join(dir, 'schemathesis.toml');
    writeFileSync(
      config,
      ['projects', 'shop.listbooks', 'shop.createbook', 'shop.updatebook']
        .map(
          (id) =>
            `[[operations]]\ninclude-operation-id = "${id}"\nchecks.positive_data_acceptance.enabled = false\n`,
        )
        .join('\n'),
    );
    const run = await schemathesis(
      [
        `${stack.gatewayUrl}/openapi.json`,
        '--max-examples',
        '40',
        // `{name=shelves/*/books/*}`: a parameter with slashes, which few generated strings fit.
        '--suppress-health-check',
        'filter_too_much',
      ],
      dir,
      config,
    );
    const generated = /(\d+) generated/.exec(run.output)?.[1];
    const operations = Number(/Tested: (\d+)/.exec(run.output)?.[1]);
    const failures = attribute(run.junit, 'failures') + attribute(run.junit, 'errors');
    console.log(
      `[schemathesis] route table: operations ${operations}, test cases ${generated}, failures ${failures}, exit ${run.code}`,
    );
    if (run.code !== 0) console.log(run.output);
    expect(run.code).toBe(0);
    expect(operations).toBeGreaterThanOrEqual(12);
    expect(failures).toBe(0);
    // Both kinds of upstream were reached, not only refused at the edge.
    expect(Object.keys(bookstore.requestIds).length).toBeGreaterThanOrEqual(5);
    expect(stack.gateways[0].logs.filter((line) => line.level === 'error')).toEqual([]);
  });
});
