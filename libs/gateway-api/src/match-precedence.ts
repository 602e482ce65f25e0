import type { ServedMatch } from './gateway-api-model';

/**
 * Orders matches as HTTPRouteRule `matches` states it, continuing on ties: an Exact path before a
 * prefix; the longer prefix (in characters); a method match before none; more header matches;
 * more query parameter matches; across routes the oldest creationTimestamp, then `namespace/name`
 * alphabetically; within one route the first rule, then the first match, in list order.
 * Negative: `a` goes first.
 */
export function compareMatchPrecedence(a: ServedMatch, b: ServedMatch): number {
  return (
    rank(a) - rank(b) ||
    (a.path.kind === 'prefix' && b.path.kind === 'prefix'
      ? b.path.value.length - a.path.value.length
      : 0) ||
    Number(b.method !== null) - Number(a.method !== null) ||
    b.headers.length - a.headers.length ||
    b.queryParams.length - a.queryParams.length ||
    compareText(a.source.creationTimestamp, b.source.creationTimestamp, true) ||
    compareText(
      `${a.source.namespace}/${a.source.route}`,
      `${b.source.namespace}/${b.source.route}`,
    ) ||
    a.source.rule - b.source.rule ||
    a.source.match - b.source.match
  );
}

function rank(m: ServedMatch): number {
  return m.path.kind === 'exact' ? 0 : 1;
}

/**
 * RFC 3339 times of the API server (UTC, `Z`, whole seconds) order as text; parsed here anyway so
 * a fractional or offset time orders by its instant. An absent or unreadable time goes last.
 */
function compareText(a: string, b: string, asTime = false): number {
  if (asTime) {
    const ta = instant(a);
    const tb = instant(b);
    return ta === tb ? 0 : ta < tb ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function instant(time: string): number {
  const t = Date.parse(time);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}
