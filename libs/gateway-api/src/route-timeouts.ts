import type { HTTPRouteTimeouts } from './gateway-api-objects';
import type { RouteTimeouts } from './gateway-api-model';

/**
 * The longest time a timeout can be here (Node's timers hold at most 2^31 - 1 ms): what a zero
 * duration ("0s", "disabled") becomes, as the spec asks of implementations that cannot turn a
 * timeout off.
 */
export const LONGEST_TIMEOUT_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * A Gateway API Duration (GEP-2257: one to four `<number><unit>` parts, units h, m, s, ms, e.g.
 * `1h30m`, `500ms`) in milliseconds; null when it is not one.
 */
export function durationMs(value: string): number | null {
  if (!/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(value)) return null;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|h|m|s)/g))
    total += Number(amount) * UNIT_MS[unit];
  return total;
}

/**
 * A rule's `timeouts` in milliseconds: `request` bounds the whole request (retries included),
 * `backendRequest` each request to a backend; zero means no limit (the longest there is). An
 * invalid one, or a backendRequest longer than the request, is a message (the route is refused).
 */
export function translateTimeouts(
  timeouts: HTTPRouteTimeouts | undefined,
): { ok: true; timeouts: RouteTimeouts } | { ok: false; message: string } {
  const read = (field: 'request' | 'backendRequest'): number | null | string => {
    const value = timeouts?.[field];
    if (value === undefined) return null;
    const ms = durationMs(value);
    if (ms === null) return `timeouts.${field} "${value}" is not a duration such as 10s or 500ms`;
    return ms === 0 ? LONGEST_TIMEOUT_MS : ms;
  };
  const requestMs = read('request');
  const backendRequestMs = read('backendRequest');
  if (typeof requestMs === 'string') return { ok: false, message: requestMs };
  if (typeof backendRequestMs === 'string') return { ok: false, message: backendRequestMs };
  if (requestMs !== null && backendRequestMs !== null && backendRequestMs > requestMs)
    return {
      ok: false,
      message: 'timeouts.backendRequest is longer than timeouts.request',
    };
  return { ok: true, timeouts: { requestMs, backendRequestMs } };
}
