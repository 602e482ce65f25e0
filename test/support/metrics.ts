import type { AppProcess } from '../../process-topology/index.ts';

/** The Prometheus text of an app's admin /metrics ('' when nothing answers). */
export async function scrape(adminUrl: string): Promise<string> {
  try {
    const response = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return await response.text();
  } catch {
    return '';
  }
}

/** The sum of the samples of `metric` whose labels include all of `labels`. */
export function sample(text: string, metric: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const found = Object.fromEntries(
      [...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([name, value]) => found[name] === value))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Requests a backend has served, from its metrics text: POST /create on webapp-1, VerifyUser on rpc-app-1. */
export function servedIn(text: string, app: string): number {
  return app === 'webapp-1'
    ? sample(text, 'http_server_request_duration_seconds_count', { route: '/create' })
    : sample(text, 'grpc_server_handled_total', { grpc_method: 'VerifyUser' });
}

/**
 * Requests a backend replica has served since it started, from its own metrics (servedIn).
 * NaN when the replica does not answer (e.g. killed).
 */
export async function served(replica: AppProcess): Promise<number> {
  const text = await scrape(replica.adminUrl);
  if (text === '') return NaN;
  return servedIn(text, replica.app);
}
