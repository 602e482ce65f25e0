// npm start: builds if needed, starts the whole stack as local processes, prints where each app
// listens, forwards every JSON log line to stdout unchanged, and stops everything on Ctrl-C.
//   npm start                      one replica of each app; gateway on http://127.0.0.1:8000
//   npm start -- --replicas 3      three replicas of each backend on 127.0.0.11-13 / .21-23
//   npm start -- --replicas 3 --dns   the same, found by name through a local DNS server (127.0.0.2:8053)
//   npm start -- --gateways 3 --redis
//                                  three gateways sharing rate limits through a redis-server on
//                                  127.0.0.51:6379 (without --redis each gateway limits on its own)
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npm start    traces to a local collector
import { parseArgs } from 'node:util';
import { build, isBuildStale } from './build.ts';
import { Stack } from '../process-topology/index.ts';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1' },
    gateways: { type: 'string', default: '1' },
    redis: { type: 'boolean', default: false },
    dns: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npm start -- [--replicas N] [--gateways N] [--dns] [--redis]\n');
  process.exit(0);
}

function count(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    process.stderr.write(
      `--${name} must be an integer from 1 to 9 (got ${JSON.stringify(value)})\n`,
    );
    process.exit(2);
  }
  return n;
}

const replicas = count('replicas', values.replicas);
const gateways = count('gateways', values.gateways);

/** Status lines go to stderr so that stdout stays pure JSON lines (pipe it into jq or a shipper). */
const say = (text: string) => process.stderr.write(`[start] ${text}\n`);

if (isBuildStale()) build();

// The shell's OTEL_* variables reach every app (each keeps its own name as service.name), so tracing
// is switched on here as in a pod. Tests start apps with exactly the env they choose instead.
const otel = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[0].startsWith('OTEL_') && entry[0] !== 'OTEL_SERVICE_NAME' && entry[1] !== undefined,
  ),
);

const stack = new Stack({
  net: '127.0.0',
  replicas,
  gateways,
  discovery: values.dns ? 'dns' : 'addresses',
  firstGatewayHost: '127.0.0.1',
  env: { gateway: otel, 'webapp-1': otel, 'rpc-app-1': otel },
  redis: values.redis,
  onLine: (line) => process.stdout.write(`${line}\n`),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping all apps`);
  await stack.stop();
  say('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await stack.start();
} catch (err) {
  say(`start failed: ${(err as Error).message}`);
  process.exit(1);
}
if (stack.dns)
  say(
    `dns          udp://${stack.dns.address}  answers ${Stack.serviceName('webapp-1')}, ${Stack.serviceName('rpc-app-1')}`,
  );
if (stack.redis)
  say(
    `${'redis'.padEnd(12)} redis://${stack.redis.address}  (rate limits shared by every gateway)`,
  );
for (const p of stack.all)
  say(
    `${p.name.padEnd(12)} ${p.app === 'rpc-app-1' ? 'grpc' : 'http'}://${p.address}  admin ${p.adminUrl}`,
  );
say(
  `ready. try: curl -X POST ${stack.gatewayUrl}/projects/ -H 'content-type: application/json' -d '{"title":"An awesome project"}'`,
);
