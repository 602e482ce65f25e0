// npm run bench: the gateway side by side with nginx and with direct calls, in one run.
//   npm run bench -- [--rounds 3] [--duration 5] [--connections 32] [--rate 400]
// Builds, starts the stack in production mode with every gateway feature on, alternates targets
// for several rounds, and writes docs/benchmarks.md + docs/benchmarks.svg (medians and ratios).
// All load goes to loopback addresses and stops by itself.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify, parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { AppProcess, LOCAL_PORTS, repoRoot, Stack } from '../process-topology/index.ts';
import { createPublicKey } from 'node:crypto';
import { signingKey, signJwt } from '../test/support/jwt-issuer.ts';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { barChartSvg } from './lib/chart.ts';
import { createMemoryCgroup, type MemoryCgroup, parseMemoryQuantity } from './lib/cgroup.ts';
import { startBareProxy } from './lib/bare-proxy-process.ts';
import { startBookstoreProcess } from './lib/bookstore-process.ts';
import { startNginx } from './lib/nginx.ts';
import { measure } from './lib/proc-stats.ts';
import { median } from './lib/stats.ts';
import { type LoadResult, wrk } from './lib/wrk.ts';

const runFile = promisify(execFile);
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '400' },
    // Only the targets whose name contains one of these (comma-separated), for quick A/B runs.
    only: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rate = Number(values.rate);

const root = repoRoot();
const out = join(root, 'bench/results');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'logs'), { recursive: true });
const step = (text: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

for (const tool of ['wrk', 'nginx']) {
  try {
    await runFile('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]);
  } catch {
    process.stderr.write(
      `${tool} is not installed: run scripts/bootstrap.sh (Debian packages wrk, nginx)\n`,
    );
    process.exit(1);
  }
}

step('building the apps');
build(root);

// Every gateway feature on, as in production; logs at info to a file per process.
const production = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
const stack = new Stack({
  // The rate limiter counts in Redis, as in production, with a limit no benchmark reaches.
  redis: true,
  env: {
    gateway: { ...production, RATE_LIMIT_LIMIT: '1000000000' },
    'webapp-1': { ...production },
    'rpc-app-1': { ...production },
  },
  logFile: (name) => join(out, 'logs', `${name}.log`),
});
// Every app runs as in its pod: under the memory limit the chart gives it (a memory cgroup), so
// Node sizes its heap as it would there, and with the chart's NODE_OPTIONS. Without root or a
// memory cgroup controller the apps run unconstrained, and the report says so.
const chartValues = parseYaml(readFileSync(join(root, 'charts/gateway-stack/values.yaml'), 'utf8'));
type PodValues = { resources?: { limits?: { memory?: string } }; nodeOptions?: string };
const podSetting = <T>(app: string, pick: (c: PodValues) => T | undefined): T =>
  (pick(chartValues.components?.[app] ?? {}) ?? pick(chartValues.componentDefaults)) as T;
const cgroups = new Map<string, MemoryCgroup>();
for (const p of stack.all) {
  const limit = podSetting(p.app, (c) => c.resources?.limits?.memory);
  const nodeOptions = podSetting(p.app, (c) => c.nodeOptions);
  p.options.env = { ...p.options.env, NODE_OPTIONS: nodeOptions };
  const cgroup = createMemoryCgroup(`bench-${process.pid}-${p.app}`, parseMemoryQuantity(limit));
  if (cgroup) {
    p.options.cgroupProcs = cgroup.procs;
    cgroups.set(p.name, cgroup);
  }
}
/** Runs a gateway beside the stack's in the memory limit of the gateway's pod, as the others. */
function inGatewayCgroup(gateway: AppProcess, name: string): void {
  const cgroup = createMemoryCgroup(
    `bench-${process.pid}-${name}`,
    parseMemoryQuantity(podSetting('gateway', (c) => c.resources?.limits?.memory)),
  );
  if (!cgroup) return;
  gateway.options.cgroupProcs = cgroup.procs;
  cgroups.set(gateway.name, cgroup);
}
// A second gateway with authentication on both routes, beside the first (none): the added cost of
// an API key on /projects/ and of an ES256 JWT (static key) on /verify/.
const jwtKey = signingKey('bench', 'ES256');
const jwtKeyFile = join(out, 'jwt-public.pem');
writeFileSync(
  jwtKeyFile,
  createPublicKey(jwtKey.privateKey).export({ type: 'spki', format: 'pem' }),
);
const API_KEY = 'bench-api-key-7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e';
const jwt = signJwt(jwtKey, {
  iss: 'https://bench.test',
  aud: 'gateway',
  sub: 'bench',
  scope: 'users.verify',
  exp: Math.floor(Date.now() / 1000) + 24 * 3600,
});
const authGateway = new AppProcess({
  app: 'gateway',
  name: 'gateway-auth#1',
  host: `${stack.net}.39`,
  ...LOCAL_PORTS.gateway,
  env: {
    ...production,
    RATE_LIMIT_LIMIT: '1000000000',
    WEBAPP_URL: stack.webappUrl(),
    RPC_TARGET: stack.rpcTarget(),
    REDIS_URL: stack.redis!.url,
    AUTH_ROUTES: '/projects=api-key,/verify=jwt:users.verify',
    AUTH_API_KEYS: API_KEY,
    AUTH_JWT_PUBLIC_KEY_FILE: jwtKeyFile,
    AUTH_JWT_ISSUER: 'https://bench.test',
    AUTH_JWT_AUDIENCE: 'gateway',
    NODE_OPTIONS: podSetting('gateway', (c) => c.nodeOptions),
  },
  logFile: join(out, 'logs', 'gateway-auth-1.log'),
});
inGatewayCgroup(authGateway, 'gateway-auth');
// A third gateway serving a route file with routes transcoded from google.api.http annotations
// (the Bookstore test service): the cost of a path variable, a query-free GET and a body field,
// beside /verify/ (a whole-body method of the seed).
const bookstore = await startBookstoreProcess();
const routesFile = join(out, 'routes.yaml');
writeFileSync(
  routesFile,
  toYaml({
    formatVersion: 1,
    upstreams: {
      shop: {
        kind: 'grpc',
        target: `ipv4:127.0.0.1:${bookstore.port}`,
        protos: [join(root, 'libs/transcoding/test-protos/bookstore.proto')],
        httpRulesFromProtos: true,
      },
    },
    routes: [],
  }),
);
const routesGateway = new AppProcess({
  app: 'gateway',
  name: 'gateway-routes#1',
  host: `${stack.net}.38`,
  ...LOCAL_PORTS.gateway,
  env: {
    ...production,
    RATE_LIMIT_LIMIT: '1000000000',
    ROUTES_FILE: routesFile,
    REDIS_URL: stack.redis!.url,
    NODE_OPTIONS: podSetting('gateway', (c) => c.nodeOptions),
  },
  logFile: join(out, 'logs', 'gateway-routes-1.log'),
});
inGatewayCgroup(routesGateway, 'gateway-routes');
const gatewayLimit = podSetting('gateway', (c) => c.resources?.limits?.memory);
const gatewayNodeOptions = podSetting('gateway', (c) => c.nodeOptions);
step(
  cgroups.size > 0
    ? `apps run under the chart's memory limits (gateway ${gatewayLimit}) with NODE_OPTIONS=${gatewayNodeOptions}`
    : `no memory cgroup available: apps run without the chart's memory limits (gateway ${gatewayLimit})`,
);
step(`starting the stack on ${stack.net}.x`);
await stack.start();
authGateway.start();
routesGateway.start();
await authGateway.waitReady();
await routesGateway.waitReady();
const nginxAddress = `${stack.net}.40:8080`;
const nginx = await startNginx({
  dir: join(out, 'nginx'),
  listen: nginxAddress,
  upstream: stack.webapps[0].address,
});

// The bare Node peer: Fastify + @fastify/http-proxy and a plain grpc-js call, in the same memory
// limit and with the same NODE_OPTIONS as the gateway's pod.
const bareProxyCgroup = createMemoryCgroup(
  `bench-${process.pid}-bare-proxy`,
  parseMemoryQuantity(gatewayLimit),
);
const bareProxy = await startBareProxy({
  listen: `${stack.net}.41:8080`,
  webapp: stack.webapps[0].address,
  rpc: stack.rpcApps[0].address,
  nodeOptions: gatewayNodeOptions,
  cgroupProcs: bareProxyCgroup?.procs,
  logFile: join(out, 'logs', 'bare-proxy.log'),
});

const gateway = stack.gateways[0];
const projectsBody = JSON.stringify({ title: 'An awesome project' });
const verifyBody = JSON.stringify({ id: 121, token: 'a$$' });

interface Target {
  name: string;
  route: 'projects' | 'verify' | 'transcoded';
  kind: 'direct' | 'nginx' | 'peer' | 'gateway';
  load: (fixedRate?: number) => Promise<LoadResult>;
  /** The proxy process whose CPU and memory are measured (peers and gateways). */
  pid?: number;
}
const measured = (kind: Target['kind']) => kind === 'gateway' || kind === 'peer';

const http =
  (url: string, body: string, headers?: Record<string, string>, method?: 'GET') =>
  (fixedRate?: number) =>
    wrk({
      url,
      method,
      body,
      headers,
      connections: fixedRate ? 8 : connections,
      durationS,
      rate: fixedRate,
      scriptDir: out,
    });

async function grpcLoad(fixedRate?: number): Promise<LoadResult> {
  const args = [
    join(root, 'bench/lib/grpc-load.ts'),
    stack.rpcApps[0].address,
    String(fixedRate ? 8 : connections),
    String(durationS),
  ];
  if (fixedRate) args.push(String(fixedRate));
  const { stdout } = await runFile(process.execPath, args, {
    cwd: root,
    timeout: (durationS + 30) * 1000,
  });
  return JSON.parse(stdout) as LoadResult;
}

const allTargets: Target[] = [
  {
    name: 'webapp-1 direct',
    route: 'projects',
    kind: 'direct',
    load: http(`http://${stack.webapps[0].address}/create`, projectsBody),
  },
  {
    name: 'nginx -> webapp-1',
    route: 'projects',
    kind: 'nginx',
    load: http(`http://${nginxAddress}/projects/`, projectsBody),
  },
  {
    name: 'bare proxy /projects/',
    route: 'projects',
    kind: 'peer',
    load: http(`http://${bareProxy.address}/projects/`, projectsBody),
    pid: bareProxy.pid,
  },
  {
    name: 'gateway /projects/',
    route: 'projects',
    kind: 'gateway',
    load: http(`${stack.gatewayUrl}/projects/`, projectsBody),
    pid: gateway.pid,
  },
  { name: 'rpc-app-1 direct (grpc-js)', route: 'verify', kind: 'direct', load: grpcLoad },
  {
    name: 'bare grpc-js call /verify/',
    route: 'verify',
    kind: 'peer',
    load: http(`http://${bareProxy.address}/verify/`, verifyBody),
    pid: bareProxy.pid,
  },
  {
    name: 'gateway /verify/',
    route: 'verify',
    kind: 'gateway',
    load: http(`${stack.gatewayUrl}/verify/`, verifyBody),
    pid: gateway.pid,
  },
  {
    name: 'gateway GET /v1/shelves/{shelf} (transcoded)',
    route: 'transcoded',
    kind: 'gateway',
    load: http(`http://${routesGateway.address}/v1/shelves/9007199254740993`, '', undefined, 'GET'),
    pid: routesGateway.pid,
  },
  {
    name: 'gateway POST /v1/shelves/{shelf}/books (transcoded, body "book")',
    route: 'transcoded',
    kind: 'gateway',
    load: http(
      `http://${routesGateway.address}/v1/shelves/3/books`,
      JSON.stringify({ author: 'Le Guin', pageCount: '1234', publishedAt: '1969-03-01T00:00:00Z' }),
    ),
    pid: routesGateway.pid,
  },
  {
    name: 'gateway /projects/ + API key',
    route: 'projects',
    kind: 'gateway',
    load: http(`http://${authGateway.address}/projects/`, projectsBody, { 'X-API-Key': API_KEY }),
    pid: authGateway.pid,
  },
  {
    name: 'gateway /verify/ + JWT (ES256)',
    route: 'verify',
    kind: 'gateway',
    load: http(`http://${authGateway.address}/verify/`, verifyBody, {
      Authorization: `Bearer ${jwt}`,
    }),
    pid: authGateway.pid,
  },
];
const only = values.only?.split(',');
const targets = only
  ? allTargets.filter((t) => only.some((part) => t.name.includes(part)))
  : allTargets;

/** V8's heap spaces of a process right now (prom-client's default metrics), in MB. */
async function heapSpaces(adminUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const spaces: Record<string, number> = {};
  for (const match of text.matchAll(
    /^nodejs_heap_space_size_total_bytes\{[^}]*space="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    spaces[match[1]] = Number(match[2]) / 1024 / 1024;
  return spaces;
}

interface Sample {
  throughput: LoadResult;
  fixed: LoadResult;
  cpuPer1k?: number;
  peakRssMb?: number;
}
const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));

// What the gateway's cgroup charge is made of, sampled through the load: anonymous memory vs the
// page cache of its log file (a pod's logs go to a pipe, whose file the kubelet's runtime writes).
const gatewayCharge = { anonMb: 0, fileMb: 0 };
const chargeSampler = setInterval(() => {
  const now = cgroups.get(gateway.name)?.chargedMb();
  if (!now) return;
  gatewayCharge.anonMb = Math.max(gatewayCharge.anonMb, now.anonMb);
  gatewayCharge.fileMb = Math.max(gatewayCharge.fileMb, now.fileMb);
}, 200);
let heapSpacesMb: Record<string, number> | undefined;
try {
  step('warm-up (JIT, connection pools)');
  for (const target of targets) await target.load(200);

  for (let round = 1; round <= rounds; round++) {
    // Alternate the order every round so that drift on a shared machine hits every target alike.
    const order = round % 2 ? targets : [...targets].reverse();
    for (const target of order) {
      step(
        `round ${round}/${rounds}: ${target.name}: max throughput (${connections} connections, ${durationS} s)`,
      );
      const run = target.pid
        ? await measure(target.pid, () => target.load())
        : { result: await target.load(), cpuS: Number.NaN, peakRssMb: Number.NaN };
      step(`round ${round}/${rounds}: ${target.name}: latency at ${rate} req/s`);
      const fixed = await target.load(rate);
      const sample: Sample = { throughput: run.result, fixed };
      if (measured(target.kind)) {
        sample.cpuPer1k = run.cpuS / (run.result.requests / 1000);
        sample.peakRssMb = run.peakRssMb;
      }
      samples.get(target.name)!.push(sample);
      step(
        `  ${Math.round(run.result.rps)} req/s, p50 ${fixed.p50Ms.toFixed(2)} ms, p99 ${fixed.p99Ms.toFixed(2)} ms, errors ${run.result.errors + fixed.errors}${sample.cpuPer1k ? `, CPU ${sample.cpuPer1k.toFixed(3)} s / 1k` : ''}`,
      );
      await sleep(500);
    }
  }
  heapSpacesMb = await heapSpaces(gateway.adminUrl);
} finally {
  clearInterval(chargeSampler);
  await bareProxy.stop();
  await nginx.stop();
  await authGateway.stop();
  await routesGateway.stop();
  await bookstore.stop();
  await stack.stop();
}
const gatewayCgroupPeakMb = cgroups.get(gateway.name)?.peakMb() ?? Number.NaN;
for (const cgroup of cgroups.values()) cgroup.remove();
bareProxyCgroup?.remove();

// Medians per target, then the ratios the targets are set against.
const summary = targets.map((t) => {
  const s = samples.get(t.name)!;
  return {
    ...t,
    rps: median(s.map((x) => x.throughput.rps)),
    p50: median(s.map((x) => x.fixed.p50Ms)),
    p99: median(s.map((x) => x.fixed.p99Ms)),
    errors: s.reduce((sum, x) => sum + x.throughput.errors + x.fixed.errors, 0),
    cpuPer1k: median(s.map((x) => x.cpuPer1k ?? Number.NaN)),
    peakRssMb: Math.max(...s.map((x) => x.peakRssMb ?? 0)),
  };
});
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const table = [
  '| target | throughput (req/s) | p50 at fixed rate (ms) | p99 at fixed rate (ms) | errors | proxy CPU s / 1k req | proxy peak RSS (MB) |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...summary.map(
    (s) =>
      `| ${s.name} | ${fmt(s.rps, 0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.errors} | ${measured(s.kind) ? fmt(s.cpuPer1k, 3) : ''} | ${measured(s.kind) ? fmt(s.peakRssMb, 0) : ''} |`,
  ),
].join('\n');
if (only) {
  // A partial run (--only) is for quick comparisons: it prints its table and writes no report.
  process.stdout.write(`\n${table}\n`);
  process.exit(0);
}
const by = (name: string) => summary.find((s) => s.name === name)!;
const ratios = {
  projectsVsNginx: by('gateway /projects/').rps / by('nginx -> webapp-1').rps,
  projectsVsDirect: by('gateway /projects/').rps / by('webapp-1 direct').rps,
  nginxVsDirect: by('nginx -> webapp-1').rps / by('webapp-1 direct').rps,
  verifyVsDirect: by('gateway /verify/').rps / by('rpc-app-1 direct (grpc-js)').rps,
  addedP99Projects: by('gateway /projects/').p99 - by('webapp-1 direct').p99,
  addedP99Verify: by('gateway /verify/').p99 - by('rpc-app-1 direct (grpc-js)').p99,
  // CPU per request against the bare Node peer on the same route (the issue's 2.0x budget).
  projectsCpuVsPeer: by('gateway /projects/').cpuPer1k / by('bare proxy /projects/').cpuPer1k,
  verifyCpuVsPeer: by('gateway /verify/').cpuPer1k / by('bare grpc-js call /verify/').cpuPer1k,
  projectsVsPeer: by('gateway /projects/').rps / by('bare proxy /projects/').rps,
  verifyVsPeer: by('gateway /verify/').rps / by('bare grpc-js call /verify/').rps,
  gatewayRssMb: Math.max(by('gateway /projects/').peakRssMb, by('gateway /verify/').peakRssMb),
  // What authentication adds per request: gateway CPU and p99 latency, same route with and without.
  apiKeyCpuUs:
    (by('gateway /projects/ + API key').cpuPer1k - by('gateway /projects/').cpuPer1k) * 1000,
  jwtCpuUs:
    (by('gateway /verify/ + JWT (ES256)').cpuPer1k - by('gateway /verify/').cpuPer1k) * 1000,
  apiKeyP99: by('gateway /projects/ + API key').p99 - by('gateway /projects/').p99,
  jwtP99: by('gateway /verify/ + JWT (ES256)').p99 - by('gateway /verify/').p99,
  apiKeyRps: by('gateway /projects/ + API key').rps / by('gateway /projects/').rps,
  jwtRps: by('gateway /verify/ + JWT (ES256)').rps / by('gateway /verify/').rps,
};
const TRANSCODED = [
  'gateway GET /v1/shelves/{shelf} (transcoded)',
  'gateway POST /v1/shelves/{shelf}/books (transcoded, body "book")',
];
// Transcoded calls beside /verify/ (a whole-body gRPC route of the seed): CPU per request.
const transcodedTable = [
  '| transcoded route | gateway CPU s / 1k req | CPU per request / gateway /verify/ | throughput | p99 at fixed rate |',
  '|---|---:|---:|---:|---:|',
  ...TRANSCODED.map((name) => {
    const t = by(name);
    return `| ${name.replace(/^gateway /, '')} | ${fmt(t.cpuPer1k, 3)} | ${fmt(t.cpuPer1k / by('gateway /verify/').cpuPer1k)}x | ${fmt(t.rps, 0)} req/s | ${fmt(t.p99)} ms |`;
  }),
].join('\n');

const verdict = (ok: boolean) => (ok ? 'met' : 'not met');
const targetsTable = [
  '| target | measured | goal |',
  '|---|---:|---|',
  `| gateway /projects/ CPU per request / bare proxy | ${fmt(ratios.projectsCpuVsPeer)}x | <= 2.0x (${verdict(ratios.projectsCpuVsPeer <= 2)}) |`,
  `| gateway /verify/ CPU per request / bare grpc-js call | ${fmt(ratios.verifyCpuVsPeer)}x | (same budget: ${verdict(ratios.verifyCpuVsPeer <= 2)}) |`,
  `| gateway /projects/ throughput / bare proxy | ${fmt(ratios.projectsVsPeer)}x | (/verify/: ${fmt(ratios.verifyVsPeer)}x) |`,
  `| gateway /projects/ throughput / nginx | ${fmt(ratios.projectsVsNginx)}x | >= 0.5x (${verdict(ratios.projectsVsNginx >= 0.5)}) |`,
  `| gateway /projects/ throughput / webapp-1 direct | ${fmt(ratios.projectsVsDirect)}x | (nginx / direct: ${fmt(ratios.nginxVsDirect)}x) |`,
  `| gateway /verify/ throughput / grpc-js direct | ${fmt(ratios.verifyVsDirect)}x | >= 0.5x (${verdict(ratios.verifyVsDirect >= 0.5)}) |`,
  `| added p99 at ${rate} req/s, /projects/ | ${fmt(ratios.addedP99Projects)} ms | <= 2 ms (${verdict(ratios.addedP99Projects <= 2)}) |`,
  `| added p99 at ${rate} req/s, /verify/ | ${fmt(ratios.addedP99Verify)} ms | <= 2 ms (${verdict(ratios.addedP99Verify <= 2)}) |`,
  `| gateway peak RSS under load | ${fmt(ratios.gatewayRssMb, 0)} MB | <= 150 MB (${verdict(ratios.gatewayRssMb <= 150)}) |`,
].join('\n');
const authTable = [
  '| authentication | gateway CPU per request | p99 at fixed rate | throughput |',
  '|---|---:|---:|---:|',
  `| API key (X-API-Key), /projects/ | ${fmt(ratios.apiKeyCpuUs, 0)} us | ${fmt(ratios.apiKeyP99)} ms | ${fmt(ratios.apiKeyRps)}x |`,
  `| JWT ES256 (static key), /verify/ | ${fmt(ratios.jwtCpuUs, 0)} us | ${fmt(ratios.jwtP99)} ms | ${fmt(ratios.jwtRps)}x |`,
].join('\n');

writeFileSync(
  join(root, 'docs/benchmarks.svg'),
  barChartSvg([
    {
      title: `Throughput at ${connections} connections (median of ${rounds} rounds)`,
      unit: 'req/s',
      bars: summary.map((s) => ({ label: s.name, value: s.rps, highlight: s.kind === 'gateway' })),
    },
    {
      title: `Proxy CPU seconds per 1k requests (median of ${rounds} rounds)`,
      unit: 's',
      bars: summary
        .filter((s) => measured(s.kind))
        .map((s) => ({ label: s.name, value: s.cpuPer1k, highlight: s.kind === 'gateway' })),
    },
    {
      title: `p99 latency at ${rate} req/s`,
      unit: 'ms',
      bars: summary.map((s) => ({ label: s.name, value: s.p99, highlight: s.kind === 'gateway' })),
    },
  ]),
);
const cpuInfo = (
  await runFile('sh', ['-c', "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])
).stdout
  .trim()
  .split('\n');
writeFileSync(
  join(root, 'docs/benchmarks.md'),
  `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${cpuInfo[0]} cores,${cpuInfo[1] ?? ''}; Node ${process.versions.node}).
The machine is shared and noisy: compare the ratios, measured side by side in one run, rather
than the absolute figures. Medians of ${rounds} rounds; targets alternate order every round.

- Load generator: wrk 4 (1 thread) for every HTTP target, POST with a JSON body; a grpc-js client
  process for rpc-app-1 direct. Throughput: ${connections} connections, ${durationS} s. Latency: a fixed
  rate of ${rate} req/s over 8 connections (wrk Lua \`delay()\`; open loop for the gRPC client),
  well below saturation.
- Gateway: production mode (\`NODE_ENV=production\`), every feature on, info logging to a file,
  tracing off. nginx 1 worker, keep-alive to webapp-1, access log off. One replica of each app.
- Bare proxy: the Node peer a user would compare with, one process with no features: Fastify +
  \`@fastify/http-proxy\` (undici) for /projects/, a plain grpc-js call per request for /verify/
  (bench/lib/bare-proxy.ts), in the gateway's memory limit with its NODE_OPTIONS.
- Proxy (gateway and bare proxy) CPU and RSS (VmRSS, which counts the shared Node binary's text too) from /proc during the
  throughput runs. ${
    cgroups.size > 0
      ? `Every app ran under its chart memory limit (gateway ${gatewayLimit}, a memory cgroup each) with the chart's \`NODE_OPTIONS=${gatewayNodeOptions}\`, so Node sized its heap as in a pod; the peak memory charged to the gateway's cgroup was ${fmt(gatewayCgroupPeakMb, 0)} MB: at most ${fmt(gatewayCharge.anonMb, 0)} MB anonymous memory and ${fmt(gatewayCharge.fileMb, 0)} MB page cache (its log file, which a pod does not write; see docs/performance.md). V8's heap spaces after the load: ${Object.entries(
          heapSpacesMb,
        )
          .filter(([, mb]) => mb >= 1)
          .map(([space, mb]) => `${space} ${fmt(mb, 0)} MB`)
          .join(', ')}.`
      : `No memory cgroup was available: the apps ran without the chart's memory limits (gateway ${gatewayLimit}), so V8 grew its heap freely (RSS overstates a pod's).`
  }

![throughput and latency](benchmarks.svg)

${table}

## Against the targets

${targetsTable}

## The added cost of authentication

A second gateway with \`AUTH_ROUTES=/projects=api-key,/verify=jwt:users.verify\` beside the
first (no authentication), same backends: the difference per request, with / without.

${authTable}

## Transcoded routes

A third gateway with a route file whose only upstream is the Bookstore test service
(libs/transcoding/test-protos/bookstore.proto, a grpc-js server in its own process) with
\`httpRulesFromProtos: true\`: every route comes from a \`google.api.http\` annotation. A GET whose
int64 comes from the path, and a POST whose body is the field \`book\` (an int64 as a string, a
Timestamp) and whose shelf comes from the path.

${transcodedTable}
`,
);
step('wrote docs/benchmarks.md and docs/benchmarks.svg');
process.stdout.write(`\n${table}\n\n${targetsTable}\n\n${authTable}\n\n${transcodedTable}\n`);
