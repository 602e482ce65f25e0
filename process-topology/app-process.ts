import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { inCgroup, isRunning, stopChild, track } from './children.ts';
import { type AppName, appEntry, repoRoot } from './paths.ts';

export interface AppProcessOptions {
  app: AppName;
  /** A short name for logs and reports, e.g. "webapp-1#2". */
  name: string;
  host: string;
  port: number;
  adminPort: number;
  env?: Record<string, string>;
  /** Receives every stdout/stderr line of the process, unchanged. */
  onLine?: (line: string, source: AppProcess) => void;
  /** The built main.js to run instead of this checkout's (benchmarks: another commit's build). */
  entry?: string;
  /** Extra `node` flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * Write stdout/stderr straight to this file instead of through the runner (benchmarks: parsing
   * every access line would steal CPU from the apps). `logs`, `rawLines` and `onLine` stay empty.
   */
  logFile?: string;
  /**
   * Start the process inside this cgroup (its `cgroup.procs` file), e.g. a memory-limited one, so
   * that Node sizes its heap as in a pod with that limit (benchmarks).
   */
  cgroupProcs?: string;
}

/** One log line of an app, parsed (every app logs one JSON object per line). */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * One running app replica: a real `node dist/apps/<app>/main.js` process with its env, its parsed
 * log lines and its readiness. Restart keeps the same address, as a replaced pod behind a name would.
 */
export class AppProcess {
  readonly logs: LogLine[] = [];
  readonly rawLines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  readonly options: AppProcessOptions;

  constructor(options: AppProcessOptions) {
    this.options = options;
  }

  get name(): string {
    return this.options.name;
  }

  get app(): AppName {
    return this.options.app;
  }

  get host(): string {
    return this.options.host;
  }

  get port(): number {
    return this.options.port;
  }

  /** host:port of the public (or gRPC) listener. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get adminUrl(): string {
    return `http://${this.options.host}:${this.options.adminPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { options } = this;
    const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
    const command = [
      process.execPath,
      ...(options.nodeArgs ?? []),
      options.entry ?? appEntry(options.app),
    ];
    const [file, ...args] = inCgroup(command, options.cgroupProcs);
    const child = spawn(file, args, {
      cwd: repoRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        HOST: options.host,
        PORT: String(options.port),
        ADMIN_PORT: String(options.adminPort),
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        ...options.env,
      },
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      detached: true,
    });
    if (logFd !== undefined) closeSync(logFd);
    this.child = child;
    this.exited = track(child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.record(line));
    }
  }

  /** Resolves once the admin readiness endpoint answers 200; fails fast if the process exits. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`${this.name} exited before it was ready:\n${this.tail()}`);
      if ((await this.readiness()) === 200) return;
      await sleep(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** The HTTP status of the readiness endpoint, or 0 when nothing answers. */
  async readiness(): Promise<number> {
    try {
      const response = await fetch(`${this.adminUrl}/_status/healthcheck`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Sends a signal and waits for the exit code (null when killed by a signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    if (!this.running || !this.child) return this.exited;
    return stopChild(this.child, this.exited, this.name, signal, timeoutMs);
  }

  /** SIGKILL: the process vanishes mid-request, as a crashed or evicted pod does. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
    await this.waitReady();
  }

  /** The last lines of output, for error messages. */
  tail(lines = 20): string {
    return this.rawLines.slice(-lines).join('\n');
  }

  private record(line: string): void {
    this.rawLines.push(line);
    if (this.rawLines.length > 50_000) this.rawLines.splice(0, 10_000);
    try {
      this.logs.push(JSON.parse(line) as LogLine);
      if (this.logs.length > 50_000) this.logs.splice(0, 10_000);
    } catch {
      // Not JSON (e.g. a Node warning): kept in rawLines only.
    }
    this.options.onLine?.(line, this);
  }
}
