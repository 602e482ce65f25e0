import { createHash } from 'node:crypto';
import type { ObjectRef } from './gateway-api-model';

/**
 * Internal pod ports for the per-(Gateway, port) Node listeners (docs/adr/0011-gateway-api.md,
 * "Per-Gateway addresses"). Every gateway pod and the status leader compute the same allocation
 * from the same snapshot, without talking to each other: it depends only on the pairs, the
 * options, and the ports the Gateways' own Services already send to.
 */

/** Inclusive bounds of the ports the allocation hands out. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface GatewayPort {
  readonly gateway: ObjectRef;
  /** The listener port: the port of the Gateway's Service. */
  readonly port: number;
}

export interface GatewayPortOptions {
  readonly range: PortRange;
  /** Ports the pod already listens on (main, admin, TLS): never handed out. */
  readonly avoid: readonly number[];
  /**
   * The internal port each pair had (key: gatewayPortKey), from its Gateway's Service's
   * targetPort: kept when it is in the range, not avoided, and not claimed by an earlier pair.
   */
  readonly previous?: ReadonlyMap<string, number>;
}

export interface GatewayPortAllocation {
  /** Key: gatewayPortKey; value: the internal port. */
  readonly ports: ReadonlyMap<string, number>;
  /** Pairs no port was left for (more pairs than the range holds), in key order. */
  readonly unallocated: readonly GatewayPort[];
}

/** `namespace/name:port` - unambiguous: namespaces and names hold no `/` or `:`. */
export function gatewayPortKey(gateway: ObjectRef, port: number): string {
  return `${gateway.namespace}/${gateway.name}:${port}`;
}

/**
 * Gives each distinct (Gateway, port) pair an internal port of `range`. Pairs are taken in one
 * order (namespace, name, then port), so the result never depends on the order they come in.
 * First every pair whose `previous` port is still free keeps it: once its Service is written, a
 * Gateway's ports stay where they are whatever other Gateways come and go. Then each remaining
 * pair takes the first free port from a hash of its key, probing upwards and wrapping: with no
 * Service yet, the port depends on the pair and on the ports taken before it, not on how many
 * Gateways there are.
 */
export function allocateGatewayPorts(
  pairs: readonly GatewayPort[],
  options: GatewayPortOptions,
): GatewayPortAllocation {
  const { from, to } = options.range;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to > 65535 || from > to)
    throw new RangeError(`port range ${from}-${to}: integers, 1 <= from <= to <= 65535`);
  const size = to - from + 1;
  const inRange = (port: number) => Number.isInteger(port) && port >= from && port <= to;

  const byKey = new Map<string, GatewayPort>();
  for (const pair of [...pairs].sort(comparePairs)) {
    const key = gatewayPortKey(pair.gateway, pair.port);
    if (!byKey.has(key)) byKey.set(key, pair);
  }
  const taken = new Set(options.avoid.filter(inRange));
  const ports = new Map<string, number>();

  for (const key of byKey.keys()) {
    const previous = options.previous?.get(key);
    if (previous === undefined || !inRange(previous) || taken.has(previous)) continue;
    taken.add(previous);
    ports.set(key, previous);
  }

  const unallocated: GatewayPort[] = [];
  for (const [key, pair] of byKey) {
    if (ports.has(key)) continue;
    const port = taken.size >= size ? undefined : probe(key, from, size, taken);
    if (port === undefined) {
      unallocated.push(pair);
      continue;
    }
    taken.add(port);
    ports.set(key, port);
  }

  // In key order, as the pairs were taken: equal inputs give equal (deep-equal) allocations.
  const sorted = new Map(
    [...byKey.keys()].flatMap((key) => {
      const port = ports.get(key);
      return port === undefined ? [] : [[key, port] as const];
    }),
  );
  return { ports: sorted, unallocated };
}

/** The first free port from the key's home slot up, wrapping at the range's end. */
function probe(key: string, from: number, size: number, taken: ReadonlySet<number>) {
  const home = homeSlot(key, size);
  for (let i = 0; i < size; i++) {
    const port = from + ((home + i) % size);
    if (!taken.has(port)) return port;
  }
  return undefined;
}

/** SHA-256, not a JS string hash: the same in every Node version, every pod computes it alike. */
export function homeSlot(key: string, size: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % size;
}

function comparePairs(a: GatewayPort, b: GatewayPort): number {
  return (
    compare(a.gateway.namespace, b.gateway.namespace) ||
    compare(a.gateway.name, b.gateway.name) ||
    a.port - b.port
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
