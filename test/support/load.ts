import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

/** One request of a load run, as the client saw it. */
export interface Outcome {
  status: number;
  /** Epoch ms when the request was sent. */
  startedAt: number;
  ms: number;
  text: string;
  retryAfter: string | null;
}

export interface LoadOptions {
  url: string;
  body: unknown;
  /** Requests in flight at once. */
  concurrency: number;
  /** Stop after this many requests ... */
  requests?: number;
  /** ... or after this long ... */
  durationMs?: number;
  /** ... or when this says so (checked before each request). */
  stop?: () => boolean;
  /** The connection pool to use instead of fetch's global one. */
  dispatcher?: Dispatcher;
  /** Each client pauses this long after every answer: a steady rate rather than a flood. */
  pauseMs?: number;
}

/**
 * Closed-loop load: `concurrency` clients each send one JSON POST after the other until a limit is
 * reached. Bounded by count, time or a stop condition, so it always ends. A network error is
 * recorded as status 0 with the error message.
 */
export async function load(options: LoadOptions): Promise<Outcome[]> {
  if (options.requests === undefined && options.durationMs === undefined && !options.stop)
    throw new Error('load needs a bound: requests, durationMs or stop');
  const body = JSON.stringify(options.body);
  const endAt = Date.now() + (options.durationMs ?? 120_000);
  const outcomes: Outcome[] = [];
  let sent = 0;
  const more = () =>
    sent < (options.requests ?? Infinity) && Date.now() < endAt && !options.stop?.();
  const client = async () => {
    while (more()) {
      sent++;
      const startedAt = Date.now();
      const started = performance.now();
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15_000),
          ...(options.dispatcher && { dispatcher: options.dispatcher }),
        });
        const text = await response.text();
        outcomes.push({
          status: response.status,
          startedAt,
          ms: performance.now() - started,
          text,
          retryAfter: response.headers.get('retry-after'),
        });
      } catch (err) {
        outcomes.push({
          status: 0,
          startedAt,
          ms: performance.now() - started,
          // fetch says only "fetch failed"; the cause says how (ECONNRESET, ECONNREFUSED ...).
          text: [(err as Error).message, ((err as Error).cause as { code?: string })?.code]
            .filter(Boolean)
            .join(': '),
          retryAfter: null,
        });
      }
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return outcomes;
}

/** The p-th percentile (0-100) of some numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Status code -> count, for messages. */
export function statusCounts(outcomes: Outcome[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
