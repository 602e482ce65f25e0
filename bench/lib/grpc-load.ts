// A grpc-js load client for rpc-app-1's VerifyUser, run as its own process by bench/run.ts:
//   node bench/lib/grpc-load.ts <host:port> <concurrency> <durationS> [rate]
// Prints one JSON LoadResult. With a rate, calls are started on a fixed schedule (open loop).
import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [address, concurrencyArg, durationArg, rateArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg) * 1000;
const rate = rateArg ? Number(rateArg) : 0;

const root = join(import.meta.dirname, '../..');
const options = JSON.parse(readFileSync(join(root, 'proto/loader-options.json'), 'utf8'));
type VerifyCallback = (err: Error | null) => void;
interface UserVerifyClient {
  VerifyUser(
    request: object,
    metadata: Metadata,
    options: { deadline: number },
    callback: VerifyCallback,
  ): void;
  waitForReady(deadline: number, callback: (err?: Error) => void): void;
  close(): void;
}
const definition = loadSync(join(root, 'proto/userverify.proto'), {
  ...options,
  longs: String,
  enums: String,
});
const proto = loadPackageDefinition(definition) as unknown as {
  userverify: {
    UserVerify: new (
      address: string,
      creds: ReturnType<typeof credentials.createInsecure>,
    ) => UserVerifyClient;
  };
};
const client = new proto.userverify.UserVerify(address, credentials.createInsecure());

const latencies: number[] = [];
let errors = 0;
let inFlight = 0;
const started = performance.now();
const until = started + durationMs;

function call(): Promise<void> {
  const t0 = performance.now();
  inFlight++;
  return new Promise((resolve) => {
    client.VerifyUser(
      { id: 121, token: 'a$$' },
      new Metadata(),
      { deadline: Date.now() + 5000 },
      (err: Error | null) => {
        inFlight--;
        if (err) errors++;
        else latencies.push(performance.now() - t0);
        resolve();
      },
    );
  });
}

async function closedLoop(): Promise<void> {
  while (performance.now() < until) await call();
}

async function openLoop(): Promise<void> {
  // Start calls in small batches every 10 ms so the total rate holds even with timer jitter.
  let sent = 0;
  while (performance.now() < until) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due && inFlight < concurrency * 50) {
      void call();
      sent++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 5));
}

await new Promise<void>((resolve, reject) =>
  client.waitForReady(Date.now() + 10_000, (err: Error | undefined) =>
    err ? reject(err) : resolve(),
  ),
);
await (rate > 0 ? openLoop() : Promise.all(Array.from({ length: concurrency }, closedLoop)));
const elapsedS = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
process.stdout.write(
  JSON.stringify({
    requests: latencies.length + errors,
    rps: latencies.length / elapsedS,
    p50Ms: at(50),
    p99Ms: at(99),
    errors,
  }) + '\n',
);
client.close();
