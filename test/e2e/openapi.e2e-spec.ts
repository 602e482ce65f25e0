import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, Stack } from '../../process-topology/index.ts';
import { requireTool } from '../support/tools.ts';

const COMMITTED = join(repoRoot(), 'docs/openapi.json');

interface Run {
  code: number | null;
  output: string;
  junit: string;
}

/** One bounded schemathesis run (it stops by itself; killed after 4 minutes all the same). */
function schemathesis(args: string[], dir: string): Promise<Run> {
  const junit = join(dir, `junit-${Date.now()}.xml`);
  const command = requireTool('schemathesis', 'PyPI package schemathesis, in .tools/venv');
  return new Promise((resolve, reject) => {
    const child = spawn(
      command,
      [
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
