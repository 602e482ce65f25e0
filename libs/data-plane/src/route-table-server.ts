import type { AuthCapabilities, AuthPolicy, RouteAuthPolicies } from '@app/auth';
import type { OpenApiPublication } from '@app/edge';
import { errorBody, isTableRoute, setMatchedRoute, setTableAllowedMethods } from '@app/http-server';
import type { HttpServerMetrics } from '@app/metrics';
import type { RatePolicy, RoutePolicies } from '@app/ratelimit';
import { createRouteTable, type RouteTable, type UpstreamModel } from '@app/routes';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { type CompiledRoute, type CompiledTable, compileTable, labelOf } from './compiled-table';
import { GrpcPassThrough } from './grpc-pass-through';
import { openApiFromTable } from './openapi/openapi-from-table';
import { splitUrl } from './route-handler';
import type { RouteHit, RouteMiss } from './route-matcher';
import type { RouteTableMetrics } from './route-table.metrics';
import type { UpstreamPool } from './upstream-pool';

const LOOKUP = Symbol('routeLookup');
type Carrier = { [LOOKUP]?: RouteHit<CompiledRoute> | RouteMiss };

/**
 * The tables of the per-(Gateway, port) listeners (gateway-listeners.ts, docs/adr/0011-gateway-api.md
 * "Per-Gateway addresses"), key the internal port: a request or gRPC call that arrived on a port
 * of `range` is matched against that port's table alone - a port of the range without one (its
 * pair just gone, its connections still open) matches no route. Any other port (PORT, the TLS
 * port) serves the merged table.
 */
export interface PortTables {
  /** Inclusive; never holds the main or TLS port (checked in libs/routes/src/routes-env.ts). */
  readonly range: { readonly from: number; readonly to: number };
  readonly tables: ReadonlyMap<number, RouteTable>;
}

/** What is served, swapped as a whole. */
interface Served {
  /** The merged table's version and every port's: an equal key is not swapped again. */
  readonly key: string;
  readonly merged: CompiledTable;
  readonly ports:
    | { readonly range: PortTables['range']; readonly tables: ReadonlyMap<number, CompiledTable> }
    | undefined;
}

/** What the table's policies are handed to, and what it is checked against. */
export interface TablePolicies {
  readonly auth: RouteAuthPolicies;
  readonly authCapabilities: AuthCapabilities;
  readonly rateLimits: RoutePolicies;
}

/**
 * Serves the current route table behind one catch-all route (docs/adr/0009-route-table-data-plane.md).
 * Each request is matched once, in the first onRequest hook, against the table current at that
 * moment; everything after - authentication, the rate limit, the handler with its upstream - uses
 * that match, so a request finishes on the table it started with while `apply` swaps in the next
 * one (a single reference assignment: there is no moment without a table).
 */
export class RouteTableServer {
  private readonly logger = new Logger('routes');
  private current: Served | undefined;
  /** What a port of the range without a table serves: no route. */
  private none: CompiledTable | undefined;
  private retireTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pool: UpstreamPool,
    private readonly policies: TablePolicies,
    private readonly metrics: RouteTableMetrics,
    private readonly openApi: OpenApiPublication,
    private readonly serverMetrics: () => HttpServerMetrics | undefined,
    private readonly grpc: GrpcPassThrough = new GrpcPassThrough(),
  ) {}

  /** The merged table's. */
  get version(): string | undefined {
    return this.current?.merged.table.version;
  }

  /** What is served, the port tables included: equal after an `apply` that swapped nothing. */
  get servedKey(): string | undefined {
    return this.current?.key;
  }

  /** Matches every request of the catch-all route; registered before any other onRequest hook. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const served = this.current;
      const tableRoute = isTableRoute(request);
      if (served && (tableRoute || request.routeOptions.url === undefined)) {
        const table = this.tableOf(served, request.raw.socket as Socket | null);
        const { path, query } = splitUrl(request.url);
        // Over TLS the gateway terminated (its TLS listener, the Gateway API's HTTPS port).
        const encrypted = (request.raw.socket as { encrypted?: boolean } | null)?.encrypted;
        const found = table.matchers[encrypted === true ? 'https' : 'http'].find(
          request.method,
          path,
          request.headers.host,
          request.headers,
          query,
        );
        if (tableRoute) {
          (request as unknown as Carrier)[LOOKUP] = found;
          if ('target' in found) setMatchedRoute(request, found.target.matched);
        } else if (!('target' in found)) {
          // Fastify's own 404: a method the catch-all does not register (QUERY, TRACE, OPTIONS
          // without CORS). Answered here: past this hook Fastify would first refuse the body of
          // some (a QUERY without Content-Type is its 400), where the answer is 405 or 404.
          setTableAllowedMethods(request, found.allowed);
          answerMiss(request, reply, found.allowed);
          return;
        }
      }
      done();
    });
  }

  /**
   * Makes `table` the served one - with `ports`, each per-(Gateway, port) listener's table too, in
   * the same swap - or throws (one line) and changes nothing: their upstreams are started before
   * the swap; those they drop are closed once the old tables' calls are over.
   */
  async apply(table: RouteTable, ports?: PortTables): Promise<void> {
    const key = servedKey(table, ports);
    if (key === this.current?.key) return;
    const portTables = [...(ports?.tables ?? [])].sort(([a], [b]) => a - b);
    const all = [table, ...portTables.map(([, t]) => t)];
    for (const [index, each] of all.entries()) {
      const problem = this.policyProblem(each);
      if (problem)
        throw new Error(index === 0 ? problem : `port ${portTables[index - 1][0]}: ${problem}`);
    }
    const prepared = await this.pool.prepare(upstreamsOf(all));
    let compiled: Served;
    try {
      compiled = {
        key,
        merged: compileTable(table, prepared.live),
        ports: ports && {
          range: ports.range,
          tables: new Map(
            portTables.map(([port, each]) => [port, compilePortTable(port, each, prepared.live)]),
          ),
        },
      };
    } catch (err) {
      await this.pool.abandon(prepared);
      throw err;
    }
    const previous = this.current;
    const retire = this.pool.commit(prepared);
    // By route name across the tables: a route of a port's table is the merged table's route of
    // the same name (both built from one listener's routes), with the same policies.
    const routes = new Map(all.flatMap((each) => each.routes.map((route) => [route.name, route])));
    this.policies.auth.replace(
      new Map<string, AuthPolicy>([...routes.values()].map((route) => [route.name, route.auth])),
    );
    this.policies.rateLimits.replace(
      new Map<string, RatePolicy>(
        [...routes.values()].flatMap((route) => {
          if (!route.rateLimit) return [];
          return [[route.name, { name: labelOf(route), ...route.rateLimit }]];
        }),
      ),
    );
    this.current = compiled;
    this.grpc.retain(
      new Set(
        [compiled.merged, ...(compiled.ports?.tables.values() ?? [])].flatMap((each) => [
          ...each.grpcReplicas,
        ]),
      ),
    );
    // Made when GET /openapi.json first asks for it: not once per table of a burst of changes.
    this.openApi.publishLater(() =>
      openApiFromTable(table, (route) => compiled.merged.routes.get(route.name)?.binding),
    );
    this.metrics.served(table.version, table.routes.length);
    if (table.skipped && table.skipped.length > 0)
      this.logger.warn(
        { version: table.version, skipped: table.skipped },
        'annotated methods without an HTTP route (streaming or a custom verb)',
      );
    const serverMetrics = this.serverMetrics();
    for (const route of routes.values())
      for (const method of route.match.methods) serverMetrics?.zeroRoute(method, labelOf(route));
    this.retireLater(retire, previous);
  }

  /**
   * One HTTP/2 stream (h2c-listener.ts): a gRPC call, passed through by the gRPC routes of its
   * scheme of the table of the port it arrived on (`localPort`, see PortTables); `encrypted` as
   * for requests.
   */
  serveHttp2(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    encrypted: boolean,
    localPort?: number,
  ): void {
    const served = this.current;
    const table = served && this.tableAt(served, localPort);
    this.grpc.serve(stream, headers, table?.grpc[encrypted ? 'https' : 'http']);
  }

  /** The table of the port a request's connection arrived on. */
  private tableOf(served: Served, socket: Socket | null): CompiledTable {
    // Read only with port tables: socket.localPort asks the kernel once per connection.
    return served.ports ? this.tableAt(served, socket?.localPort) : served.merged;
  }

  private tableAt(served: Served, localPort: number | undefined): CompiledTable {
    const ports = served.ports;
    if (!ports || localPort === undefined) return served.merged;
    if (localPort < ports.range.from || localPort > ports.range.to) return served.merged;
    return ports.tables.get(localPort) ?? (this.none ??= noRoutes());
  }

  /** The catch-all route's handler. */
  async serve(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const found = (request as unknown as Carrier)[LOOKUP];
    if (found && 'target' in found) return found.target.handle(request, reply, found.params);
    answerMiss(request, reply, found?.allowed ?? []);
  }

  async close(): Promise<void> {
    for (const timer of this.retireTimers) clearTimeout(timer);
    this.retireTimers.clear();
    this.grpc.close();
    await this.pool.close();
  }

  /** Why the gateway cannot serve the table's policies (e.g. jwt without a key), or undefined. */
  private policyProblem(table: RouteTable): string | undefined {
    for (const route of table.routes) {
      const problem = this.policies.authCapabilities.problem(route.auth.scheme);
      if (problem) return `route "${route.name}": auth: ${problem}`;
    }
    return undefined;
  }

  /** Upstreams the new table dropped are closed once every call of the old table has ended. */
  private retireLater(retire: () => Promise<void>, previous: Served | undefined): void {
    const tables = previous
      ? [previous.merged, ...(previous.ports?.tables.values() ?? [])].map((c) => c.table)
      : [];
    const longest = Math.max(0, ...tables.flatMap((t) => t.routes.map((r) => r.timeoutMs)));
    const timer = setTimeout(() => {
      this.retireTimers.delete(timer);
      retire().catch((err: unknown) =>
        this.logger.warn({ err }, 'closing the upstreams of the previous route table failed'),
      );
    }, longest + 1000);
    timer.unref();
    this.retireTimers.add(timer);
  }
}

/** 405 with `Allow` when other methods take the path, else 404; never awaited (see serve). */
function answerMiss(
  request: FastifyRequest,
  reply: FastifyReply,
  allowed: readonly string[],
): void {
  const { path } = splitUrl(request.url);
  // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
  if (allowed.length > 0) {
    void reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send(
        errorBody(
          405,
          `method ${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
        ),
      );
    return;
  }
  void reply.status(404).send(errorBody(404, `no route for ${request.method} ${path}`));
}

/** The served tables' identity: the merged version, the range, each port's version. */
function servedKey(table: RouteTable, ports: PortTables | undefined): string {
  if (!ports) return table.version;
  const each = [...ports.tables]
    .sort(([a], [b]) => a - b)
    .map(([port, t]) => `${port}=${t.version}`);
  return [table.version, `${ports.range.from}-${ports.range.to}`, ...each].join(' ');
}

/**
 * The upstreams of every table, once each: the port tables' are the merged table's (one
 * translation's Services); one name with two models would bind routes to the wrong one.
 */
function upstreamsOf(tables: readonly RouteTable[]): UpstreamModel[] {
  const byName = new Map<string, { model: UpstreamModel; json: string }>();
  for (const table of tables)
    for (const model of table.upstreams) {
      const known = byName.get(model.name);
      if (!known) {
        byName.set(model.name, { model, json: JSON.stringify(model) });
        continue;
      }
      if (known.model !== model && known.json !== JSON.stringify(model))
        throw new Error(`upstream "${model.name}" differs between the merged and a port's table`);
    }
  return [...byName.values()].map(({ model }) => model);
}

function compilePortTable(
  port: number,
  table: RouteTable,
  live: Parameters<typeof compileTable>[1],
): CompiledTable {
  try {
    return compileTable(table, live);
  } catch (err) {
    throw new Error(`port ${port}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** A table of no route: every request a 404, every gRPC call UNIMPLEMENTED. */
function noRoutes(): CompiledTable {
  return compileTable(
    createRouteTable({ upstreams: [], routes: [], methodMiss: 'not-found' }),
    new Map(),
  );
}
