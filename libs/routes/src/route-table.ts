import { createHash } from 'node:crypto';
import type { Route, RouteTable, SkippedMethod, UpstreamModel } from './route-model';

/** What a table is made of, before createRouteTable sorts and versions it. */
export interface RouteTableContent {
  readonly upstreams: readonly UpstreamModel[];
  readonly routes: readonly Route[];
  readonly skipped?: readonly SkippedMethod[];
  readonly protoDigests?: readonly string[];
  readonly methodMiss?: RouteTable['methodMiss'];
}

/**
 * A table from its upstreams and routes, whatever their source: both sorted by name (order carries
 * no meaning), and versioned by a hash of that normalised content. `protoDigests` (SHA-256 of each
 * listed .proto file's bytes) enter the version only: an edited .proto is a new table even when
 * the routes it implies are the same, since the messages it transcodes may not be.
 */
export function createRouteTable(content: RouteTableContent): RouteTable {
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
  // Loops rather than entries, filter and map: every table's version runs this over every route.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      // As join writes them: an item JSON has no text for (undefined, a function) is empty.
      const item = canonicalJson(value[i]) as string | undefined;
      out += i === 0 ? (item ?? '') : `,${item ?? ''}`;
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    let out = '{';
    for (const key of Object.keys(record).sort(compare)) {
      const item = record[key];
      if (item === undefined) continue;
      out += `${out.length === 1 ? '' : ','}${quotedKey(key)}:${canonicalJson(item)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

/** Object keys repeat in every route: each is quoted once. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    // Bounded: keys that are data (header names of edits, upstream headers) are not kept forever.
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}
