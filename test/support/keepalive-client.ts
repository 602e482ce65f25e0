import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface KeepAliveOptions {
  /** host:port where new connections go (a Service's endpoints); changed with setEndpoints. */
  endpoints: string[];
  path: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  /** The status every request must answer. */
  status?: number;
  /** Connections sending back to back ... */
  busy: number;
  /** ... and connections idle a random 0.2 s to maxIdleSeconds between requests. */
  idle: number;
  maxIdleSeconds: number;
}

export interface KeepAliveSummary {
  sent: number;
  ok: number;
  failed: number;
  /** Connections the server ended with `Connection: close` on an answer. */
  closed_by_answer: number;
  failures: string[];
}

/**
 * Persistent HTTP/1.1 connections from Python's http.client (test/support/keepalive_client.py): no
 * retries and no check of an idle socket before it is reused, as the clients that lose requests
 * to a server closing an idle connection.
 */
export function keepAliveClients(options: KeepAliveOptions) {
  const child = spawn(
    'python3',
    [
      join(__dirname, 'keepalive_client.py'),
      JSON.stringify({
        endpoints: options.endpoints,
        path: options.path,
        method: options.method ?? 'GET',
        body: options.body ?? {},
        status: options.status ?? 200,
        busy: options.busy,
        idle: options.idle,
        max_idle: options.maxIdleSeconds,
      }),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    setEndpoints(endpoints: string[]): void {
      child.stdin.write(`endpoints ${endpoints.join(',')}\n`);
    },
    async stop(): Promise<KeepAliveSummary> {
      child.stdin.end('stop\n');
      const code = await exited;
      if (code !== 0) throw new Error(`keep-alive client exited ${code}: ${stderr}`);
      return JSON.parse(stdout.trim().split('\n').pop() ?? '') as KeepAliveSummary;
    },
  };
}
