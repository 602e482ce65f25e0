import { createHash } from 'node:crypto';
import type { Route, RouteTable, SkippedMethod, UpstreamModel } from './route-model';

/**
 * A table from its upstreams and routes, whatever their source: both sorted by name (order carries
 * no meaning), and versioned by a hash of that normalised content. `protoDigests` (SHA-256 of each
 * listed .proto file's bytes) enter the version only: an edited .proto is a new table even when
 * the routes it implies are the same, since the messages it transcodes may not be.
 */
export function createRouteTable(content: {
  upstreams: readonly UpstreamModel[];
  routes: readonly Route[];
  skipped?: readonly SkippedMethod[];
  protoDigests?: readonly string[];
  methodMiss?: RouteTable['methodMiss'];
}): RouteTable {
  const byName = <T extends { name: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => compare(a.name, b.name));
  const upstreams = byName(content.upstreams);
  const routes = byName(content.routes);
  const skipped = [...(content.skipped ?? [])].sort(
    (a, b) => compare(a.upstream, b.upstream) || compare(a.grpcPath, b.grpcPath),
  );
  const { methodMiss } = content;
  return {
    upstreams,
    routes,
    skipped,
    ...(methodMiss ? { methodMiss } : {}),
    version: routeTableVersion({ upstreams, routes, methodMiss }, content.protoDigests ?? []),
  };
}

/**
 * SHA-256 of the content as canonical JSON (object keys sorted): the same for equal content.
 * `skipped` follows from the .proto files, which `protoDigests` cover.
 */
export function routeTableVersion(
  content: Pick<RouteTable, 'upstreams' | 'routes' | 'methodMiss'>,
  protoDigests: readonly string[] = [],
): string {
  const hash = createHash('sha256');
  // methodMiss left out when absent (canonicalJson drops undefined): route-file tables keep theirs.
  const { upstreams, routes, methodMiss } = content;
  hash.update(canonicalJson({ upstreams, routes, methodMiss }));
  // Kept out of the JSON when empty, so that a table without .proto files keeps its version.
  if (protoDigests.length > 0) hash.update(canonicalJson({ protos: protoDigests }));
  return `sha256:${hash.digest('hex')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted (undefined members left out, as JSON.stringify does): equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
