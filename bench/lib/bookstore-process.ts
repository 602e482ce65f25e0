import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild, track } from '../../process-topology/children.ts';
import { repoRoot } from '../../process-topology/index.ts';

/**
 * Starts bench/lib/bookstore-server.ts (the Bookstore gRPC test service on 127.0.0.1) as its own
 * process, so that its work is not the benchmark driver's; resolves with its port once it listens.
 */
export async function startBookstoreProcess(): Promise<{
  port: number;
  stop: () => Promise<void>;
}> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bench/lib/bookstore-server.ts')], {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = track(child);
  const stop = async () => {
    await stopChild(child, exited, 'bookstore', 'SIGTERM', 5000);
  };
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(() => undefined),
  ]);
  lines.close();
  if (first === undefined) throw new Error('the bookstore process exited before it listened');
  return { port: (JSON.parse(first) as { port: number }).port, stop };
}
