// Gateway builds of several commits side by side, against the bare Node peer, in one run:
//   node bench/ab.ts [--rounds 3] [--duration 5] <commit> [<commit> ...]
// Each commit is checked out into .tools/ab/<commit> (its own node_modules, from its own
// lockfile) and built; one webapp-1, rpc-app-1 and Redis serve them all. Targets alternate order
// every round; the table gives medians of throughput and of CPU seconds per 1k requests, and each
// gateway's CPU per request over the peer's. This is how docs/performance.md's before/after figures
// are measured. All load goes to loopback addresses and stops by itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { AppProcess, LOCAL_PORTS, repoRoot, Stack } from '../process-topology/index.ts';
import { startBareProxy } from './lib/bare-proxy-process.ts';
import { measure } from './lib/proc-stats.ts';
import { median } from './lib/stats.ts';
import { wrk } from './lib/wrk.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});
if (positionals.length === 0) {
  process.stderr.write(
    'usage: node bench/ab.ts [--rounds N] [--duration S] <commit> [<commit> ...]\n',
  );
  process.exit(2);
}
const root = repoRoot();
const out = join(root, 'bench/results/ab');
const checkouts = join(root, '.tools/ab');
mkdirSync(join(out, 'logs'), { recursive: true });
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const step = (text: string) =>
  process.stdout.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

// One checkout and build per commit, kept between runs (keyed by the full hash).
const builds = positionals.map((ref) => {
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(checkouts, commit.slice(0, 12));
  if (!existsSync(join(dir, 'dist/apps/gateway/main.js'))) {
    step(`checking out and building ${ref} (${commit.slice(0, 12)})`);
    rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'add', '--detach', dir, commit], {
      cwd: root,
      stdio: 'ignore',
    });
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    build(dir);
  }
  return { ref, commit: commit.slice(0, 8), entry: join(dir, 'dist/apps/gateway/main.js') };
});
build(root);

const production = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
const NODE_OPTIONS = '--max-semi-space-size=32';
const stack = new Stack({
  redis: true,
  gateways: 0,
  env: {
    'webapp-1': { ...production, NODE_OPTIONS },
    'rpc-app-1': { ...production, NODE_OPTIONS },
  },
  logFile: (name) => join(out, 'logs', `${name}.log`),
});
await stack.start();
const gateways = builds.map(
  (b, i) =>
    new AppProcess({
      app: 'gateway',
      name: `gateway@${b.ref}`,
      host: `${stack.net}.${60 + i}`,
      ...LOCAL_PORTS.gateway,
      entry: b.entry,
      env: {
        ...production,
        NODE_OPTIONS,
        RATE_LIMIT_LIMIT: '1000000000',
        WEBAPP_URL: stack.webappUrl(),
        RPC_TARGET: stack.rpcTarget(),
        REDIS_URL: stack.redis!.url,
      },
      logFile: join(out, 'logs', `gateway-${b.commit}.log`),
    }),
);
const peer = await startBareProxy({
  listen: `${stack.net}.41:8080`,
  webapp: stack.webapps[0].address,
  rpc: stack.rpcApps[0].address,
  nodeOptions: NODE_OPTIONS,
  logFile: join(out, 'logs', 'bare-proxy.log'),
});

const routes = [
  { path: 'projects', body: JSON.stringify({ title: 'An awesome project' }) },
  { path: 'verify', body: JSON.stringify({ id: 121, token: 'a$$' }) },
];
const targets = [
  { name: 'bare peer', address: peer.address, pid: () => peer.pid },
  ...gateways.map((g, i) => ({
    name: `${builds[i].ref} (${builds[i].commit})`,
    address: g.address,
    pid: () => g.pid!,
  })),
];
const samples = new Map<string, { rps: number[]; cpu: number[] }>();
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
try {
  for (const g of gateways) g.start();
  await Promise.all(gateways.map((g) => g.waitReady()));
  for (const route of routes)
    for (const t of targets)
      await wrk({
        url: `http://${t.address}/${route.path}/`,
        body: route.body,
        connections: 8,
        durationS: 1,
        scriptDir: out,
      });
  for (let round = 1; round <= rounds; round++) {
    for (const route of routes) {
      const order = round % 2 ? targets : [...targets].reverse();
      for (const t of order) {
        const run = await measure(t.pid(), () =>
          wrk({
            url: `http://${t.address}/${route.path}/`,
            body: route.body,
            connections: Number(values.connections),
            durationS,
            scriptDir: out,
          }),
        );
        const key = `${route.path}|${t.name}`;
        const s = samples.get(key) ?? { rps: [], cpu: [] };
        s.rps.push(run.result.rps);
        s.cpu.push(run.cpuS / (run.result.requests / 1000));
        samples.set(key, s);
        step(
          `round ${round}/${rounds} /${route.path}/ ${t.name}: ${Math.round(run.result.rps)} req/s, ${(run.cpuS / (run.result.requests / 1000)).toFixed(3)} s CPU / 1k, errors ${run.result.errors}`,
        );
      }
    }
  }
} finally {
  await peer.stop();
  await Promise.allSettled(gateways.map((g) => g.stop()));
  await stack.stop();
}

const lines = [
  '| route | build | req/s | CPU s / 1k req | CPU per request / bare peer |',
  '|---|---|---:|---:|---:|',
];
for (const route of routes) {
  const peerCpu = median(samples.get(`${route.path}|bare peer`)!.cpu);
  for (const t of targets) {
    const s = samples.get(`${route.path}|${t.name}`)!;
    const cpu = median(s.cpu);
    lines.push(
      `| /${route.path}/ | ${t.name} | ${Math.round(median(s.rps))} | ${cpu.toFixed(3)} | ${(cpu / peerCpu).toFixed(2)}x |`,
    );
  }
}
process.stdout.write(`\n${lines.join('\n')}\n`);
