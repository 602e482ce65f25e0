// A grpc-js load client for rpc-app-1's VerifyUser, run as its own process by bench/run.ts:
//   node bench/lib/grpc-load.ts <host:port> <concurrency> <durationS> [rate]
// Prints one JSON LoadResult. With a rate, calls are started on a fixed schedule (open loop).
import { Metadata } from '@grpc/grpc-js';
import { userVerifyClient } from '../../process-topology/user-verify-client.ts';

const [address, concurrencyArg, durationArg, rateArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const durationMs = Number(durationArg) * 1000;
const rate = rateArg ? Number(rateArg) : 0;

const client = userVerifyClient(address);

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
