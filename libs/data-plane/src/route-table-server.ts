import type { AuthCapabilities, AuthPolicy, RouteAuthPolicies } from '@app/auth';
import type { OpenApiPublication } from '@app/edge';
import { errorBody, isTableRoute, setMatchedRoute, setTableAllowedMethods } from '@app/http-server';
import type { HttpServerMetrics } from '@app/metrics';
import type { RatePolicy, RoutePolicies } from '@app/ratelimit';
import type { RouteTable } from '@app/routes';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { type CompiledRoute, type CompiledTable, compileTable, labelOf } from './compiled-table';
import { GrpcPassThrough } from './grpc-pass-through';
import { openApiFromTable } from './openapi/openapi-from-table';
import { splitUrl } from './route-handler';
import type { RouteHit, RouteMiss } from './route-matcher';
import type { RouteTableMetrics } from './route-table.metrics';
import type { UpstreamPool } from './upstream-pool';

const LOOKUP = Symbol('routeLookup');
type Carrier = { [LOOKUP]?: RouteHit<CompiledRoute> | RouteMiss };

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
  private current: CompiledTable | undefined;
  private retireTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pool: UpstreamPool,
    private readonly policies: TablePolicies,
    private readonly metrics: RouteTableMetrics,
    private readonly openApi: OpenApiPublication,
    private readonly serverMetrics: () => HttpServerMetrics | undefined,
    private readonly grpc: GrpcPassThrough = new GrpcPassThrough(),
  ) {}

  get version(): string | undefined {
    return this.current?.table.version;
  }

  /** Matches every request of the catch-all route; registered before any other onRequest hook. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const table = this.current;
      const tableRoute = isTableRoute(request);
      if (table && (tableRoute || request.routeOptions.url === undefined)) {
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
   * Makes `table` the served one, or throws (one line) and changes nothing: its upstreams are
   * started before the swap; those it drops are closed once the old table's calls are over.
   */
  async apply(table: RouteTable): Promise<void> {
    if (table.version === this.current?.table.version) return;
    const problem = this.policyProblem(table);
    if (problem) throw new Error(problem);
    const prepared = await this.pool.prepare(table.upstreams);
    let compiled: CompiledTable;
    try {
      compiled = compileTable(table, prepared.live);
    } catch (err) {
      await this.pool.abandon(prepared);
      throw err;
    }
    const previous = this.current;
    const retire = this.pool.commit(prepared);
    this.policies.auth.replace(
      new Map<string, AuthPolicy>(table.routes.map((route) => [route.name, route.auth])),
    );
    this.policies.rateLimits.replace(
      new Map<string, RatePolicy>(
        table.routes.flatMap((route) => {
          if (!route.rateLimit) return [];
          return [[route.name, { name: labelOf(route), ...route.rateLimit }]];
        }),
      ),
    );
    this.current = compiled;
    this.grpc.retain(compiled.grpcReplicas);
    // Made when GET /openapi.json first asks for it: not once per table of a burst of changes.
    this.openApi.publishLater(() =>
      openApiFromTable(table, (route) => compiled.routes.get(route.name)?.binding),
    );
    this.metrics.served(table.version, table.routes.length);
    if (table.skipped && table.skipped.length > 0)
      this.logger.warn(
        { version: table.version, skipped: table.skipped },
        'annotated methods without an HTTP route (streaming or a custom verb)',
      );
    const serverMetrics = this.serverMetrics();
    for (const route of table.routes)
      for (const method of route.match.methods) serverMetrics?.zeroRoute(method, labelOf(route));
    this.retireLater(retire, previous);
  }

  /**
   * One HTTP/2 stream (h2c-listener.ts): a gRPC call, passed through by the current table's gRPC
   * routes of its scheme; `encrypted` as for requests.
   */
  serveHttp2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, encrypted: boolean): void {
    this.grpc.serve(stream, headers, this.current?.grpc[encrypted ? 'https' : 'http']);
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
  private retireLater(retire: () => Promise<void>, previous: CompiledTable | undefined): void {
    const longest = Math.max(0, ...(previous?.table.routes.map((r) => r.timeoutMs) ?? [0]));
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
