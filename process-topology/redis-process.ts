import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, stopChild, track } from './children.ts';

export interface RedisProcessOptions {
  host: string;
  port: number;
  /** Sets `requirepass` (the gateways then need REDIS_PASSWORD). */
  password?: string;
}

const INSTALL_HINT =
  'redis-server is not installed (Debian package redis-server): run scripts/bootstrap.sh';

/**
 * A real `redis-server` for the gateways' shared rate-limit store: bound to one loopback address,
 * nothing persisted (`--save ''`, no AOF), memory capped, and killable, pausable and restartable on
 * the same address - what a Redis outage looks like to the gateways.
 */
export class RedisProcess {
  readonly rawLines: string[] = [];
  readonly options: RedisProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private spawnError: Error | undefined;

  constructor(options: RedisProcessOptions) {
    this.options = options;
  }

  get name(): string {
    return 'redis';
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** REDIS_URL for the gateways (the password, if any, goes in REDIS_PASSWORD). */
  get url(): string {
    return `redis://${this.address}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { host, port, password } = this.options;
    const args = [
      '--bind', host,
      '--port', String(port),
      '--save', '',
      '--appendonly', 'no',
      '--dir', tmpdir(),
      '--maxmemory', '64mb',
      // Rate-limit keys all carry a TTL: under memory pressure drop those closest to expiry.
      '--maxmemory-policy', 'volatile-ttl',
      '--loglevel', 'warning',
      ...(password ? ['--requirepass', password] : []),
    ]; // prettier-ignore
    this.spawnError = undefined;
    const child = spawn('redis-server', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.once('error', (err) => {
      this.spawnError =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(INSTALL_HINT) : err;
    });
    this.child = child;
    this.exited = track(child);
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => this.rawLines.push(line));
  }

  /** Resolves once Redis answers on its address; fails fast if it exits or cannot start. */
  async waitReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.spawnError) throw this.spawnError;
      if (!this.running)
        throw new Error(`${this.name} exited before it was ready:\n${this.tail()}`);
      if (await this.answers()) return;
      await sleep(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** SIGKILL: Redis vanishes with its data, as a crashed pod without persistence does. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.running || !this.child) return;
    this.resume(); // a paused Redis would never see the SIGTERM
    await stopChild(this.child, this.exited, this.name, 'SIGTERM', 10_000);
  }

  /** SIGSTOP: Redis keeps its connections but answers nothing - a hung or overloaded server. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  tail(lines = 20): string {
    return this.rawLines.slice(-lines).join('\n');
  }

  /** True when a PING gets an answer (PONG, or NOAUTH when a password is required). */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.options.port, this.options.host);
      const done = (up: boolean) => {
        socket.destroy();
        resolve(up);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    });
  }
}
