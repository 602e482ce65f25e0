import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  errors: number;
}

export interface WrkOptions {
  url: string;
  /** POST with this JSON body (the default), or GET without one. */
  method?: 'POST' | 'GET';
  body: string;
  connections: number;
  durationS: number;
  /** Fixed request rate (all connections together); omitted = as fast as possible. */
  rate?: number;
  scriptDir: string;
  /** Extra request headers (e.g. credentials). */
  headers?: Record<string, string>;
}

/**
 * Drives one HTTP target with wrk (Debian's wrk 4). POSTs the JSON body (or GETs); with `rate`, each
 * connection waits connections/rate seconds between requests (wrk's Lua `delay()`), which holds
 * the total rate fixed below saturation so latency is measured without queueing.
 */
export async function wrk(options: WrkOptions): Promise<LoadResult> {
  const headers = Object.entries(options.headers ?? {});
  const method = options.method ?? 'POST';
  const variant = headers.map(([name]) => name).join('-') || 'plain';
  const script = join(
    options.scriptDir,
    `wrk-${method.toLowerCase()}-${options.rate ?? 'max'}-${variant}.lua`,
  );
  const delayMs = options.rate ? (options.connections * 1000) / options.rate : 0;
  writeFileSync(
    script,
    [
      `wrk.method = "${method}"`,
      ...(method === 'POST'
        ? [
            `wrk.body = ${JSON.stringify(options.body)}`,
            'wrk.headers["Content-Type"] = "application/json"',
          ]
        : []),
      ...headers.map(
        ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
      ),
      delayMs > 0 ? `function delay() return ${delayMs.toFixed(3)} end` : '',
      // Counts non-2xx answers: wrk's own summary only counts non-2xx/3xx.
      'local bad = 0',
      'function response(status) if status >= 300 then bad = bad + 1 end end',
      'function done(summary, latency, requests) io.write(string.format("BAD %d\\n", bad)) end',
    ].join('\n'),
  );
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${options.connections}`,
      `-d${options.durationS}s`,
      '--latency',
      '-s',
      script,
      options.url,
    ],
    { timeout: (options.durationS + 30) * 1000 },
  );
  return parseWrk(stdout);
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

export function parseWrk(stdout: string): LoadResult {
  const percentile = (p: string) => {
    const m = stdout.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return m ? toMs(m[1], m[2]) : Number.NaN;
  };
  const requests = Number(stdout.match(/(\d+) requests in/)?.[1] ?? 0);
  const rps = Number(stdout.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
  const socketErrors = stdout.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  const socket = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const bad = Number(stdout.match(/^BAD (\d+)$/m)?.[1] ?? 0);
  return { requests, rps, p50Ms: percentile('50'), p99Ms: percentile('99'), errors: bad + socket };
}
