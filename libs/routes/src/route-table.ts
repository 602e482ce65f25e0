import { createHash } from 'node:crypto';
import type { Route, RouteTable, UpstreamModel } from './route-model';

/**
 * A table from its upstreams and routes, whatever their source: both sorted by name (order carries
 * no meaning), and versioned by a hash of that normalised content.
 */
export function createRouteTable(content: {
  upstreams: readonly UpstreamModel[];
  routes: readonly Route[];
}): RouteTable {
  const byName = <T extends { name: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const upstreams = byName(content.upstreams);
  const routes = byName(content.routes);
  return { upstreams, routes, version: routeTableVersion({ upstreams, routes }) };
}

/** SHA-256 of the content as canonical JSON (object keys sorted): the same for equal content. */
export function routeTableVersion(content: Omit<RouteTable, 'version'>): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson({ upstreams: content.upstreams, routes: content.routes }));
  return `sha256:${hash.digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
