import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTool } from './tools.ts';

export interface ScrapeTarget {
  /** host:port of a /metrics endpoint. */
  address: string;
  /** Target labels, e.g. the `pod` and `namespace` a Kubernetes service discovery would add. */
  labels: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/**
 * A real Prometheus server (the Debian `prometheus` package, which also brings promtool) scraping the
 * apps every 2 seconds, as in a cluster: it negotiates OpenMetrics, so it also stores exemplars.
 */
export class PrometheusServer {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly dataDir: string;
  private readonly output: string[] = [];

  private constructor(url: string, child: ChildProcess, dataDir: string) {
    this.url = url;
    this.child = child;
    this.dataDir = dataDir;
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  /** Starts Prometheus on a free port of `host` (a loopback address). */
  static start(host: string, targets: ScrapeTarget[]): Promise<PrometheusServer> {
    return PrometheusServer.startWith(host, [
      {
        job_name: 'gateway-stack',
        static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels })),
      },
    ]);
  }

  /** Starts Prometheus with these scrape_configs (e.g. Kubernetes service discovery). */
  static async startWith(host: string, scrapeConfigs: object[]): Promise<PrometheusServer> {
    const binary = requireTool('prometheus', 'prometheus');
    const listen = `${host}:${await freePort(host)}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'prometheus-e2e-'));
    const config = {
      // Short, for a fast test; a scrape may take a while on a busy machine.
      global: { scrape_interval: '2s', scrape_timeout: '2s' },
      scrape_configs: scrapeConfigs,
    };
    // JSON is YAML.
    writeFileSync(join(dataDir, 'prometheus.yml'), JSON.stringify(config));
    const child = spawn(
      binary,
      [
        `--config.file=${join(dataDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--web.listen-address=${listen}`,
        '--enable-feature=exemplar-storage',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(`http://${listen}`, child, dataDir);
    live.add(child);
    child.once('exit', () => live.delete(child));
    try {
      await server.waitReady();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** An instant query; throws with Prometheus' message when the expression is invalid. */
  async query(expr: string): Promise<Sample[]> {
    const data = (await this.api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
      result: Sample[];
    };
    return data.result;
  }

  /** Exemplars of the series a query selects over the last `seconds`. */
  async exemplars(expr: string, seconds = 300): Promise<ExemplarSeries[]> {
    const end = Date.now() / 1000;
    const params = `query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}`;
    return (await this.api(`/api/v1/query_exemplars?${params}`)) as ExemplarSeries[];
  }

  async targets(): Promise<
    Array<{ health: string; lastError: string; scrapeUrl: string; labels: Record<string, string> }>
  > {
    const data = (await this.api('/api/v1/targets')) as {
      activeTargets: Array<{
        health: string;
        lastError: string;
        scrapeUrl: string;
        labels: Record<string, string>;
      }>;
    };
    return data.activeTargets;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async api(path: string): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  }

  private async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`prometheus exited:\n${this.output.join('').slice(-2000)}`);
      try {
        const response = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`prometheus not ready after ${timeoutMs} ms:\n${this.output.join('')}`);
  }
}

/** A port nothing listens on right now (Prometheus takes a fixed port, not 0). */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A Prometheus started by a test never outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
