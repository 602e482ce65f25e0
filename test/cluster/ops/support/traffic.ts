// Open-loop traffic at a steady rate (what autoscaling reacts to), bounded in time, recording
// every answer's status; a closed loop would only measure how fast this machine is.
import { setTimeout as sleep } from 'node:timers/promises';

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
  requests: Array<{ path: string; body: unknown }>,
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

export const SEED_REQUESTS = [
  { path: '/projects/', body: { title: 'An awesome project' } },
  { path: '/verify/', body: { id: 121, token: 'a$$' } },
];
