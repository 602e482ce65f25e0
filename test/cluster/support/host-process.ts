// A daemon of the cluster tests (Prometheus' adapters, metrics-server, KEDA) run on the node as a
// host process, like the cluster's own components: started by PID, its log in the cluster's log
// directory, stopped by that PID, and never left behind by a test that ends early.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOGS } from './cluster.ts';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills `child` (SIGKILL) if it still runs when this process exits; the returned function forgets it. */
export function killedOnExit(child: ChildProcess): () => void {
  live.add(child);
  return () => live.delete(child);
}

export class HostProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly forget: () => void;
  readonly log: string;

  constructor(name: string, binary: string, args: string[], env: Record<string, string> = {}) {
    mkdirSync(LOGS, { recursive: true });
    this.log = join(LOGS, `test-${name}.log`);
    const out = createWriteStream(this.log, { flags: 'a' });
    this.child = spawn(binary, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(out);
    this.child.stderr?.pipe(out);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.forget = killedOnExit(this.child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.forget();
  }
}
