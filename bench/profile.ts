// A CPU profile of the gateway under load, for docs/performance.md:
//   node bench/profile.ts [projects|verify] [seconds]
// Starts the stack as the benchmark does (production mode, Redis, info logs to files), runs the
// gateway with --cpu-prof under wrk -c16 and prints where the .cpuprofile is (open it in Chrome
// DevTools or summarise it). All load goes to loopback addresses and stops by itself.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../scripts/build.ts';
import { repoRoot, Stack } from '../process-topology/index.ts';
import { wrk } from './lib/wrk.ts';

const route = process.argv[2] === 'verify' ? 'verify' : 'projects';
const seconds = Number(process.argv[3] ?? 10);
const root = repoRoot();
const dir = join(root, 'bench/results/profile');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
build(root);

const production = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  NODE_OPTIONS: '--max-semi-space-size=32',
};
const stack = new Stack({
  redis: true,
  env: {
    gateway: { ...production, RATE_LIMIT_LIMIT: '1000000000' },
    'webapp-1': production,
    'rpc-app-1': production,
  },
  logFile: (name) => join(dir, `${name}.log`),
});
stack.gateways[0].options.nodeArgs = [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
  '--cpu-prof-interval=200',
];
await stack.start();
try {
  const body =
    route === 'projects'
      ? JSON.stringify({ title: 'An awesome project' })
      : JSON.stringify({ id: 121, token: 'a$$' });
  const load = (durationS: number) =>
    wrk({ url: `${stack.gatewayUrl}/${route}/`, body, connections: 16, durationS, scriptDir: dir });
  await load(2); // warm-up: JIT, connection pools
  process.stdout.write(`${JSON.stringify(await load(seconds))}\n`);
} finally {
  await stack.stop();
}
const profile = readdirSync(dir).find((file) => file.endsWith('.cpuprofile'));
process.stdout.write(`${profile ? join(dir, profile) : 'no profile written'}\n`);
