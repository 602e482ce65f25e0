// Load on a release as clients outside the cluster send it: a closed loop of the seed's requests
// (how many answers fail while pods come and go), and open-loop traffic at a steady rate (what
// autoscaling reacts to; a closed loop would only measure how fast this machine is).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { keepAliveClients } from '../../support/keepalive-client.ts';
import { load, type Outcome } from '../../support/load.ts';
import { client } from './client.ts';
import { SEED_REQUESTS, type SeedRequest } from './seed.ts';

export interface LoadReport {
  total: number;
  /** Each with the route it was sent to. */
  failed: (Outcome & { route: SeedRequest })[];
  byRoute: Record<SeedRequest, number>;
}

/**
 * Steady closed-loop load on both routes until stop() (or 10 minutes, whichever first): every
 * answer but a 200 counts as failed, network errors included. The connection pool is the tests'
 * keep-alive client unless another is given (e.g. one that opens a connection per request).
 */
export function startLoad(
  baseUrl: string,
  concurrencyPerRoute = 3,
  dispatcher: Dispatcher = client,
): { stop: () => Promise<LoadReport> } {
  let stopped = false;
  const runs = (Object.keys(SEED_REQUESTS) as SeedRequest[]).map((route) =>
    load({
      url: `${baseUrl}${SEED_REQUESTS[route].path}`,
      body: SEED_REQUESTS[route].body,
      concurrency: concurrencyPerRoute,
      durationMs: 600_000,
      stop: () => stopped,
      dispatcher,
    }).then((outcomes) => [route, outcomes] as const),
  );
  return {
    stop: async () => {
      stopped = true;
      const done = await Promise.all(runs);
      const all = done.flatMap(([route, outcomes]) => outcomes.map((o) => ({ ...o, route })));
      return {
        total: all.length,
        failed: all.filter((o) => o.status !== 200),
        byRoute: Object.fromEntries(
          done.map(([route, outcomes]) => [route, outcomes.length]),
        ) as Record<SeedRequest, number>,
      };
    },
  };
}

/** A compact view of failed requests for an assertion message. */
export function describeFailures(report: LoadReport): string[] {
  return report.failed.slice(0, 10).map((o) => `${o.status} ${o.text.slice(0, 160)}`);
}

export interface Traffic {
  /** Status -> count so far (0 = no answer). */
  statuses: Map<number, number>;
  stop(): Promise<void>;
}

export function count(traffic: Traffic, predicate: (status: number) => boolean): number {
  let n = 0;
  for (const [status, c] of traffic.statuses) if (predicate(status)) n += c;
  return n;
}

/** POSTs each body in turn to `${base}${path}` at `perSecond` until stopped or `maxMs` passed. */
export function steadyTraffic(
  base: string,
  requests: ReadonlyArray<{ path: string; body: unknown }>,
  perSecond: number,
  maxMs: number,
): Traffic {
  const statuses = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const send = (i: number) => {
    const { path, body } = requests[i % requests.length];
    const request = fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      })
      .catch(() => 0)
      .then((status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };
  const loop = (async () => {
    const started = Date.now();
    for (let i = 0; !stopped && Date.now() - started < maxMs; i++) {
      send(i);
      // Paced against the start, so slow answers do not lower the rate.
      const due = started + ((i + 1) * 1000) / perSecond;
      await sleep(Math.max(0, due - Date.now()));
    }
  })();
  return {
    statuses,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...inFlight]);
    },
  };
}

/** What the keep-alive clients of both routes saw, summed. */
export interface KeptAlive {
  sent: number;
  ok: number;
  failed: number;
  failures: string[];
}

/**
 * Clients that keep their connections alive, as load balancers and SDK pools do, on both routes
 * through the NodePort: per route one sending back to back and four idle up to 3 s between
 * requests, never retrying. `tag` marks their bodies.
 */
export function keepAliveLoad(baseUrl: string, tag: string): { stop: () => Promise<KeptAlive> } {
  const common = {
    endpoints: [new URL(baseUrl).host],
    method: 'POST' as const,
    busy: 1,
    idle: 4,
    maxIdleSeconds: 3,
  };
  const clients = [
    keepAliveClients({ ...common, path: '/projects/', body: { title: tag } }),
    keepAliveClients({ ...common, path: '/verify/', body: { id: 9, token: tag } }),
  ];
  return {
    stop: async () => {
      const summaries = await Promise.all(clients.map((c) => c.stop()));
      return {
        sent: summaries.reduce((n, s) => n + s.sent, 0),
        ok: summaries.reduce((n, s) => n + s.ok, 0),
        failed: summaries.reduce((n, s) => n + s.failed, 0),
        failures: summaries.flatMap((s) => s.failures),
      };
    },
  };
}

/** The chart's default deadline of both routes (WEBAPP_TIMEOUT_MS, RPC_TIMEOUT_MS). */
export const DEADLINE_MS = 5000;

/**
 * What /projects/ (not idempotent) may lose to one replica that stops answering: each of the 3
 * gateway pods ejects it after WEBAPP_OUTLIER_CONSECUTIVE_FAILURES (default 5) failures in a row,
 * timeouts included, so none writes more to it than that however long it stays silent - its
 * readiness probe, or the node controller, usually takes it out of the endpoints first
 * (docs/traffic.md).
 */
export const UNANSWERED_REPLICA_BOUND = 3 * 5;
