import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, type Stack } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/http.ts';
import { load } from '../support/load.ts';
import { sample, scrape } from '../support/metrics.ts';
import { testStack } from '../support/stack.ts';

/**
 * A ConfigMap volume as the kubelet writes it: the data in a fresh directory, `..data` swapped to
 * it by one rename, the file a symlink through `..data` (what the gateway sees in a pod).
 */
class ConfigMapVolume {
  private generation = 0;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    symlinkSync('..data/routes.yaml', join(dir, 'routes.yaml'));
  }

  get file(): string {
    return join(this.dir, 'routes.yaml');
  }

  write(content: string): void {
    const data = `..${++this.generation}`;
    mkdirSync(join(this.dir, data));
    writeFileSync(join(this.dir, data, 'routes.yaml'), content);
    symlinkSync(data, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }
}

// Routes as configuration, hot: the route file of a running gateway changes under load - a route
// added, an upstream rebuilt, an invalid version, the route removed - and the unchanged routes lose
// nothing, on real processes.
describe('route file reloads (ROUTES_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routes-'));
  const volume = new ConfigMapVolume(dir);
  let stack: Stack;

  const table = (options: { extraRoute: boolean; webappTimeoutMs?: number }) =>
    stringify({
      formatVersion: 1,
      upstreams: {
        'webapp-1': {
          kind: 'http',
          urls: stack.webappUrl().split(','),
          rewrite: { prefix: '/projects', replacement: '/create' },
          ...(options.webappTimeoutMs && { traffic: { timeoutMs: options.webappTimeoutMs } }),
        },
        'webapp-create': {
          kind: 'http',
          urls: stack.webappUrl().split(','),
          rewrite: { prefix: '/drafts', replacement: '/create' },
        },
        'rpc-app-1': {
          kind: 'grpc',
          target: stack.rpcTarget(),
          protos: [join(repoRoot(), 'proto/userverify.proto')],
        },
      },
      routes: [
        {
          name: 'projects',
          match: { methods: ['POST'], path: { exact: '/projects' } },
          upstream: 'webapp-1',
        },
        {
          name: 'verify',
          match: { methods: ['POST'], path: { exact: '/verify' } },
          upstream: 'rpc-app-1',
          grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
          retry: { idempotent: true },
        },
        ...(options.extraRoute
          ? [
              {
                name: 'drafts',
                match: { methods: ['POST'], path: { exact: '/drafts' } },
                upstream: 'webapp-create',
              },
            ]
          : []),
      ],
    });

  const gatewayMetrics = () => scrape(stack.gateways[0].adminUrl);
  const servedVersion = async () => {
    const text = await gatewayMetrics();
    return /^gateway_route_table_info\{[^}]*version="([^"]+)"[^}]*\} 1$/m.exec(text)?.[1];
  };
  const reloads = async (outcome: string) =>
    sample(await gatewayMetrics(), 'gateway_route_table_reloads_total', { outcome });

  beforeAll(async () => {
    stack = testStack({
      env: { gateway: { ROUTES_FILE: volume.file, ROUTES_RELOAD_POLL_MS: '60000' } },
    });
    volume.write(table({ extraRoute: false }));
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the file; changes reach the running gateway with 0 failed requests on the unchanged routes', async () => {
    const gateway = stack.gatewayUrl;
    expect((await postJson(`${gateway}/projects`, { title: 'from the file' })).status).toBe(200);
    expect((await postJson(`${gateway}/drafts`, { title: 'x' })).status).toBe(404);
    const first = await servedVersion();
    expect(first).toMatch(/^sha256:/);

    let stop = false;
    const traffic = Promise.all([
      load({
        url: `${gateway}/projects`,
        body: { title: 'reload' },
        concurrency: 4,
        stop: () => stop,
      }),
      load({
        url: `${gateway}/verify`,
        body: { id: 7, token: 't' },
        concurrency: 4,
        stop: () => stop,
      }),
    ]);
    try {
      // 1. A route added, and webapp-1's upstream rebuilt (a new timeout) under load.
      volume.write(table({ extraRoute: true, webappTimeoutMs: 4000 }));
      await eventually(async () => {
        expect((await postJson(`${gateway}/drafts`, { title: 'new route' })).status).toBe(200);
      });
      const second = await servedVersion();
      expect(second).not.toBe(first);
      expect(await reloads('applied')).toBe(1);

      // 2. An invalid version: refused, counted, logged in one line; the last good table serves on.
      volume.write(
        'formatVersion: 1\nupstreams: {}\nroutes:\n  - name: broken\n    upstream: nowhere\n',
      );
      await eventually(async () => expect(await reloads('refused')).toBe(1));
      expect(await servedVersion()).toBe(second);
      expect((await postJson(`${gateway}/drafts`, { title: 'still here' })).status).toBe(200);
      const refusals = stack.gateways[0].logs.filter(
        (line) => line.msg === 'route file refused; the last good table keeps serving',
      );
      expect(refusals).toEqual([
        expect.objectContaining({
          level: 'warn',
          route_file: volume.file,
          version: second,
          problems: expect.arrayContaining([
            expect.stringMatching(/^.*routes\.yaml: routes\[0\] "broken": /),
          ]),
        }),
      ]);

      // 3. The route removed again.
      volume.write(table({ extraRoute: false }));
      await eventually(async () => {
        expect((await postJson(`${gateway}/drafts`, { title: 'gone' })).status).toBe(404);
      });
      expect(await reloads('applied')).toBe(2);
    } finally {
      stop = true;
    }
    const outcomes = (await traffic).flat();
    expect(outcomes.length).toBeGreaterThan(100);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
  });
});
