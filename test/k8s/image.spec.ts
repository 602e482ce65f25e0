// The container image without Docker. A lint of the Dockerfile (pinned base, non-root USER matching
// the chart, no secrets in ENV/ARG, production runtime), then the image-content check: the build
// context (.dockerignore applied) is copied, the build stage's RUN lines are executed as written,
// and every app is started from exactly the tree its runtime stage COPYs, with the runtime's ENV,
// WORKDIR and CMD - proving the runtime needs nothing from devDependencies, the sources or the repo.
import dockerignore from '@balena/dockerignore';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { execForm, keyValues, parseDockerfile, type Stage } from './support/dockerfile.ts';
import { dashboardTargets, metricNames } from './support/promql.ts';
import { CHART, REPO } from './support/tools.ts';
import { eventually } from '../support/eventually.ts';

const DOCKERFILE = join(REPO, 'Dockerfile');
const { globals, stages } = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => stages.find((s) => s.name === name)!;
const final = stages[stages.length - 1];
const APPS = Object.keys(
  JSON.parse(readFileSync(join(REPO, 'nest-cli.json'), 'utf8')).projects as object,
);
const chartValues = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));

describe('Dockerfile lint', () => {
  test('the base image is pinned to the full Node 24 version of .nvmrc (what bootstrap installs), never latest', () => {
    const pinned = readFileSync(join(REPO, '.nvmrc'), 'utf8').trim();
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    const external = stages.filter(
      (s) => s.from !== 'scratch' && !stages.some((other) => other.name === s.from),
    );
    expect(external.map((s) => s.from)).toEqual([`node:${pinned}-bookworm-slim`]);
  });

  test('the final stage is the runtime: non-root USER = the chart UID, NODE_ENV=production, exec-form CMD', () => {
    expect(final.name).toBe('runtime');
    const user = final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(user).toEqual([
      `${chartValues.podSecurity.runAsUser}:${chartValues.podSecurity.runAsGroup}`,
    ]);
    expect(chartValues.podSecurity.runAsUser).toBe(10001);
    const env = Object.assign(
      {},
      ...final.instructions.filter((i) => i.keyword === 'ENV').map((i) => keyValues(i.args)),
    );
    expect(env.NODE_ENV).toBe('production');
    expect(execForm(final.instructions.find((i) => i.keyword === 'CMD')!.args)).toEqual([
      'node',
      'main.js',
    ]);
    expect(final.instructions.find((i) => i.keyword === 'WORKDIR')!.args).toBe(
      '/app/dist/apps/${APP}',
    );
  });

  test('the runtime is the base without package managers plus the staged app (no sources, no dev toolchain)', () => {
    expect(final.from).toBe('scratch');
    const copies = final.instructions
      .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
      .map((i) => i.args);
    expect(copies).toEqual(['--from=node-runtime / /', '--from=build /src/image/${APP}/ /app/']);
    // Removed in a stage that the runtime copies whole: gone, not hidden behind a whiteout layer.
    const nodeRuntime = stage('node-runtime');
    expect(nodeRuntime.from).toBe('base');
    const removed = nodeRuntime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    for (const tool of ['/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack'])
      expect(removed.join(' ')).toContain(tool);
  });

  test('the registry CA reaches npm as a build secret only, and no frontend image is pulled', () => {
    expect(readFileSync(DOCKERFILE, 'utf8')).not.toMatch(/^#\s*syntax=/m);
    const deps = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'RUN' && i.args === 'scripts/image-build.sh deps');
    expect(deps.length).toBe(2);
    for (const run of deps) expect(run.mounts.join()).toMatch(/^type=secret,id=npm_ca(,|$)/);
  });

  test('no secrets in ENV or ARG, no remote ADD, no curl | sh', () => {
    const all = [...globals, ...stages.flatMap((s) => s.instructions)];
    for (const instruction of all.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      const names =
        instruction.keyword === 'ENV'
          ? Object.keys(keyValues(instruction.args))
          : [instruction.args.split('=')[0]];
      for (const name of names)
        expect(`${name}: ${/secret|passw|token|api_?key|credential|private/i.test(name)}`).toBe(
          `${name}: false`,
        );
    }
    expect(all.filter((i) => i.keyword === 'ADD')).toEqual([]);
    expect(all.filter((i) => /curl|wget/.test(i.args))).toEqual([]);
  });

  test('the build stage runs only scripts/image-build.sh steps (the ones this test runs too)', () => {
    const runs = stage('build')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(runs).toEqual([
      'scripts/image-build.sh deps',
      'scripts/image-build.sh build',
      'scripts/image-build.sh prune',
      'scripts/image-build.sh stage image',
    ]);
    expect(stage('build').instructions.find((i) => i.keyword === 'WORKDIR')!.args).toBe('/src');
  });
});

/** Files of the build context: what `docker build .` sends after .dockerignore. */
function contextFiles(): string[] {
  const patterns = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
  const ignore = dockerignore().add(patterns);
  const negations = patterns
    .filter((p) => p.startsWith('!'))
    .map((p) => p.slice(1).replace(/\/$/, ''));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const reincluded = negations.some(
          (n) => n === path || n.startsWith(`${path}/`) || path.startsWith(`${n}/`),
        );
        if (!ignore.ignores(path) || reincluded) walk(path);
      } else if (!ignore.ignores(path)) {
        files.push(path);
      }
    }
  };
  walk('');
  return files;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function treeStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = lstatSync(join(dir, entry));
    if (stat.isFile()) {
      files++;
      bytes += stat.size;
    }
  }
  return { files, bytes };
}

/** The status the URL last answered, polled until it is 200 or the time is up. */
async function waitFor200(url: string, timeoutMs: number): Promise<number> {
  let last = 0;
  const status = async () =>
    (last = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    ));
  await eventually(async () => (await status()) === 200, { timeoutMs, intervalMs: 250 }).catch(
    () => undefined,
  );
  return last;
}

/** The machine's environment (registry, proxy and CA settings) without what jest adds. */
function buildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key === 'NODE_ENV' || key.startsWith('JEST_')) delete env[key];
  return env;
}

describe('image content without Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'gs-image-'));
  const context = join(work, 'src');
  const processes = new Map<string, ChildProcess>();
  const logs = new Map<string, string>();
  const ports: Record<string, { port: number; admin: number }> = {};
  const buildLog: string[] = [];

  beforeAll(() => {
    for (const file of contextFiles()) {
      mkdirSync(dirname(join(context, file)), { recursive: true });
      cpSync(join(REPO, file), join(context, file));
    }
    // The build stage's RUN lines, verbatim, in the copy (its WORKDIR /src).
    for (const run of stage('build').instructions.filter((i) => i.keyword === 'RUN')) {
      const started = Date.now();
      const result = spawnSync('sh', ['-c', run.args], {
        cwd: context,
        encoding: 'utf8',
        // prefer-offline only lets npm use its cache first; the install itself is the lockfile's.
        env: {
          ...buildEnv(),
          npm_config_prefer_offline: 'true',
          NPM_CONFIG_UPDATE_NOTIFIER: 'false',
        },
        maxBuffer: 64 * 1024 * 1024,
      });
      buildLog.push(
        `${run.args}: exit ${result.status} in ${Math.round((Date.now() - started) / 1000)} s`,
      );
      if (result.status !== 0)
        throw new Error(`RUN ${run.args} failed:\n${result.stdout}\n${result.stderr}`);
    }
  }, 290_000);

  afterAll(async () => {
    for (const child of processes.values()) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  const staged = (app: string) => join(context, 'image', app);

  test('the build context leaves out node_modules, .git, .tools, dist, tests and charts', () => {
    const files = contextFiles();
    for (const prefix of [
      'node_modules/',
      '.git/',
      '.tools/',
      'dist/',
      'coverage/',
      'test/',
      'charts/',
      'bench/',
      '.cache/',
    ]) {
      expect(files.filter((f) => f.startsWith(prefix))).toEqual([]);
    }
    expect(files.filter((f) => f.endsWith('.spec.ts'))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'package-lock.json',
        'apps/gateway/src/main.ts',
        'proto/userverify.proto',
        'scripts/image-build.sh',
      ]),
    );
  });

  test('every app is staged with production dependencies only', () => {
    const lock = JSON.parse(readFileSync(join(context, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, meta]) => path.startsWith('node_modules/') && meta.dev)
      .map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(100);
    const figures: Record<string, unknown> = {};
    for (const app of APPS) {
      expect(readdirSync(staged(app)).sort()).toEqual([
        'dist',
        'node_modules',
        'package-lock.json',
        'package.json',
        'proto',
      ]);
      expect(readdirSync(join(staged(app), 'dist/apps'))).toEqual([app]);
      // The staged tree is the image's /app: the chart's route file names rpc-app-1's contract as
      // /app/proto/userverify.proto (templates/_routes.tpl, gs.seedProto).
      expect(existsSync(join(staged(app), 'proto/userverify.proto'))).toBe(true);
      expect(devOnly.filter((path) => existsSync(join(staged(app), path)))).toEqual([]);
      for (const tool of ['typescript', 'jest', 'webpack', '@nestjs/cli', 'ts-loader', 'eslint'])
        expect(existsSync(join(staged(app), 'node_modules', tool))).toBe(false);
      const all = treeStats(staged(app));
      const modules = treeStats(join(staged(app), 'node_modules'));
      figures[app] = {
        files: all.files,
        megabytes: +(all.bytes / 1e6).toFixed(1),
        node_modules_files: modules.files,
        node_modules_megabytes: +(modules.bytes / 1e6).toFixed(1),
      };
    }
    mkdirSync(join(REPO, '.cache'), { recursive: true });
    writeFileSync(
      join(REPO, '.cache/image-content.json'),
      `${JSON.stringify({ build: buildLog, apps: figures }, null, 2)}\n`,
    );
  });

  test('each app starts from its staged tree with the runtime stage ENV, WORKDIR and CMD, and gets ready (200)', async () => {
    for (const dir of [dirname(work), '/'])
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    const runtimeEnv = Object.assign(
      {},
      ...[...stage('base').instructions, ...final.instructions]
        .filter((i) => i.keyword === 'ENV')
        .map((i) => keyValues(i.args)),
    ) as Record<string, string>;
    const [command, ...args] = execForm(final.instructions.find((i) => i.keyword === 'CMD')!.args)!;
    for (const app of APPS) ports[app] = { port: await freePort(), admin: await freePort() };
    // Backends first, then the gateway pointed at them (as the chart does, by address list here).
    for (const app of ['webapp-1', 'rpc-app-1', 'gateway']) {
      const workdir = final.instructions
        .find((i) => i.keyword === 'WORKDIR')!
        .args.replace('${APP}', app)
        .replace(/^\/app/, staged(app));
      const env: Record<string, string> = {
        ...runtimeEnv,
        PATH: dirname(process.execPath),
        HOME: work,
        HOST: '127.0.0.1',
        PORT: String(ports[app].port),
        ADMIN_PORT: String(ports[app].admin),
        LOG_LEVEL: 'warn',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        ...(app === 'gateway'
          ? {
              WEBAPP_URL: `http://127.0.0.1:${ports['webapp-1'].port}`,
              RPC_TARGET: `ipv4:127.0.0.1:${ports['rpc-app-1'].port}`,
            }
          : {}),
      };
      const child = spawn(command, args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      logs.set(app, '');
      const append = (chunk: Buffer) =>
        logs.set(app, (logs.get(app) + chunk.toString()).slice(-4000));
      child.stdout!.on('data', append);
      child.stderr!.on('data', append);
      processes.set(app, child);
      const status = await waitFor200(
        `http://127.0.0.1:${ports[app].admin}/_status/healthcheck`,
        30_000,
      );
      expect(`${app}: ${status}`).toBe(`${app}: 200`);
    }
  });

  test('the helm test smoke script passes against the started apps (/projects/ and /verify/ through the gateway)', () => {
    const result = spawnSync(process.execPath, [join(CHART, 'files/smoke-test.mjs')], {
      env: {
        PATH: process.env.PATH,
        GATEWAY_URL: `http://127.0.0.1:${ports.gateway.port}`,
        SMOKE_DEADLINE_MS: '10000',
      },
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('ok   POST /projects/\nok   POST /verify/\n');
    expect(result.status).toBe(0);
  });

  test('every metric the Grafana dashboard queries is exported by the running apps', async () => {
    const exported = new Set<string>();
    for (const app of APPS) {
      const text = await (await fetch(`http://127.0.0.1:${ports[app].admin}/metrics`)).text();
      for (const line of text.split('\n'))
        if (line && !line.startsWith('#')) exported.add(line.split(/[{ ]/)[0]);
    }
    const dashboard = JSON.parse(
      readFileSync(join(CHART, 'dashboards/gateway-stack.json'), 'utf8'),
    );
    const queried = [...new Set(dashboardTargets(dashboard).flatMap((t) => metricNames(t.expr)))];
    expect(queried.filter((name) => !exported.has(name))).toEqual([]);
  });

  test('SIGTERM drains and exits 0 (what the kubelet sends after preStop)', async () => {
    for (const [app, child] of processes) {
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), 25_000)),
      );
      const code = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      expect(`${app}: ${code}`).toBe(`${app}: 0`);
    }
    expect(relative(REPO, context).startsWith('..')).toBe(true);
  });
});
