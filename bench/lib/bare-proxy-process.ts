import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inCgroup, stopChild, track } from '../../process-topology/children.ts';
import { repoRoot } from '../../process-topology/index.ts';

/**
 * Starts bench/lib/bare-proxy.ts as its own process (optionally inside a memory cgroup, like the
 * gateway) and resolves once it listens.
 */
export async function startBareProxy(options: {
  listen: string;
  webapp: string;
  rpc: string;
  nodeOptions?: string;
  cgroupProcs?: string;
  logFile: string;
}): Promise<{ address: string; pid: number; stop: () => Promise<void> }> {
  const command = [
    process.execPath,
    join(repoRoot(), 'bench/lib/bare-proxy.ts'),
    options.listen,
    options.webapp,
    options.rpc,
  ];
  const [file, ...args] = inCgroup(command, options.cgroupProcs);
  const log = openSync(options.logFile, 'a');
  const child = spawn(file, args, {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: options.nodeOptions ?? '' },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  const exited = track(child);
  const stop = async () => {
    await stopChild(child, exited, 'bare proxy', 'SIGTERM', 5000);
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`bare proxy exited, see ${options.logFile}`);
    try {
      await fetch(`http://${options.listen}/`, { signal: AbortSignal.timeout(500) });
      return { address: options.listen, pid: child.pid!, stop };
    } catch {
      await sleep(50);
    }
  }
  await stop();
  throw new Error(`bare proxy did not listen on ${options.listen}, see ${options.logFile}`);
}
