import type { HeaderModifier, HttpUpstreamModel, Route, RouteBackend } from '@app/routes';
import { grpcOutcome, type UpstreamOutcome } from '@app/upstream';
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { editHeaders } from './header-edits';
import type { RouteMatcher } from './route-matcher';
import { joinedEdits, pick } from './weighted-route';

/** gRPC status codes the gateway answers with itself (grpc/doc/statuscodes.md). */
const GrpcStatus = { UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** Records one finished call to an upstream (UpstreamMetrics.observe): the upstream dashboards' rows. */
export type ObserveCall = (upstream: string, outcome: UpstreamOutcome, startedAt: number) => void;

/** Headers of one hop, never passed on (RFC 9113 section 8.2.2), and the ones HTTP/2 rebuilds. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
]);

/** One share of a gRPC route: an upstream's replicas, or the gateway's own answer. */
export type GrpcShare =
  | {
      readonly weight: number;
      readonly upstream: HttpUpstreamModel;
      readonly requestHeaders?: HeaderModifier;
      readonly responseHeaders?: HeaderModifier;
    }
  | { readonly weight: number; readonly respond: { status: number; message: string } };

/** A route of `protocol: grpc`, ready to pass calls through. */
export interface GrpcPassRoute {
  readonly route: Route;
  /** Those of weight above 0. */
  readonly shares: readonly GrpcShare[];
  readonly total: number;
}

/** The shares of a gRPC route: its `backends`, or its one upstream. */
export function grpcPassRoute(
  route: Route,
  models: ReadonlyMap<string, HttpUpstreamModel | { kind: 'grpc' }>,
): GrpcPassRoute {
  const backends: readonly RouteBackend[] =
    route.backends ?? (route.upstream === null ? [] : [{ upstream: route.upstream, weight: 1 }]);
  const shares = backends.map((backend): GrpcShare => {
    if (!('upstream' in backend)) return { weight: backend.weight, respond: backend.respond };
    const model = models.get(backend.upstream);
    if (model?.kind !== 'http')
      throw new Error(`route "${route.name}": no http upstream "${backend.upstream}"`);
    return {
      weight: backend.weight,
      upstream: model,
      requestHeaders: joinedEdits(route.requestHeaders, backend.requestHeaders),
      responseHeaders: joinedEdits(route.responseHeaders, backend.responseHeaders),
    };
  });
  const taking = shares.filter((share) => share.weight > 0);
  const total = taking.reduce((sum, share) => sum + share.weight, 0);
  if (total === 0)
    throw new Error(`route "${route.name}": a gRPC route needs a share of weight above 0`);
  return { route, shares: taking, total };
}

/**
 * Passes gRPC calls through to the replicas of their route's upstream over HTTP/2 cleartext
 * (docs/adr/0011-gateway-api.md, "GRPCRoute"): each call is one HTTP/2 stream to one replica,
 * chosen per call, its messages and trailers relayed as they come in both directions, so unary
 * and streaming calls alike keep their deadlines, metadata and status. A call is never retried
 * (its messages may have reached the replica). One HTTP/2 session per replica, shared by every
 * call to it; sessions of replicas no table names any more are closed once their calls end.
 */
export class GrpcPassThrough {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  /** Replicas whose last connection failed, and until when they are passed over. */
  private readonly unreachable = new Map<string, number>();
  private nextReplica = 0;

  constructor(
    private readonly observe: ObserveCall = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /** Serves one HTTP/2 stream by `matcher` (the current table's gRPC routes of its scheme). */
  serve(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    matcher: RouteMatcher<GrpcPassRoute> | undefined,
  ): void {
    if (!isGrpc(headers)) {
      answerHttp(stream, 505, 'HTTP/2 is served for gRPC only here: send HTTP/1.1');
      return;
    }
    const path = headers[':path'] ?? '/';
    const found = matcher?.find(
      headers[':method'] ?? 'POST',
      path,
      headers[':authority'] ?? headers.host,
      headers,
    );
    if (!found || !('target' in found)) {
      answerGrpc(stream, GrpcStatus.UNIMPLEMENTED, `no route takes ${path}`);
      return;
    }
    const { shares, total } = found.target;
    const share = pick(shares, total, this.random());
    if ('respond' in share) {
      answerGrpc(stream, GrpcStatus.INTERNAL, share.respond.message);
      return;
    }
    this.relay(stream, headers, share);
  }

  /** Closes the sessions of replicas `live` no longer holds (a new table was applied). */
  retain(live: ReadonlySet<string>): void {
    for (const origin of this.unreachable.keys())
      if (!live.has(origin)) this.unreachable.delete(origin);
    for (const [origin, session] of this.sessions)
      if (!live.has(origin)) {
        this.sessions.delete(origin);
        session.close();
      }
  }

  /** Closes every session once its calls have ended. */
  close(): void {
    this.retain(new Set());
  }

  private relay(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    share: Extract<GrpcShare, { upstream: HttpUpstreamModel }>,
  ): void {
    const startedAt = performance.now();
    let observed = false;
    const done = (outcome: UpstreamOutcome) => {
      if (observed) return;
      observed = true;
      this.observe(share.upstream.name, outcome, startedAt);
    };
    const urls = share.upstream.urls;
    const origin = this.replicaFor(urls);
    const outgoing = passedHeaders(headers);
    if (share.requestHeaders) editHeaders(outgoing, share.requestHeaders);
    let upstream: ClientHttp2Stream;
    try {
      upstream = this.sessionTo(origin, share.upstream).request(outgoing);
    } catch (err) {
      done('unavailable');
      answerGrpc(
        stream,
        GrpcStatus.UNAVAILABLE,
        `upstream ${share.upstream.name}: ${message(err)}`,
      );
      return;
    }
    let trailers: OutgoingHttpHeaders | undefined;
    upstream.on('response', (answer, flags) => {
      if (stream.destroyed) return;
      const passed = passedHeaders(answer) as OutgoingHttpHeaders;
      if (share.responseHeaders) editHeaders(passed, share.responseHeaders);
      // A trailers-only answer (an error before any message) ends with its headers.
      const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      if (endStream) done(outcomeOf(answer['grpc-status']));
      stream.respond(passed, endStream ? { endStream: true } : { waitForTrailers: true });
    });
    upstream.on('trailers', (received) => {
      done(outcomeOf(received['grpc-status']));
      trailers = passedHeaders(received) as OutgoingHttpHeaders;
    });
    stream.on('wantTrailers', () =>
      stream.sendTrailers(
        trailers ?? { 'grpc-status': String(GrpcStatus.INTERNAL), 'grpc-message': 'no trailers' },
      ),
    );
    upstream.on('data', (chunk: Buffer) => {
      if (!stream.write(chunk)) upstream.pause();
    });
    stream.on('drain', () => upstream.resume());
    upstream.on('end', () => {
      // Ended without a grpc-status: not a gRPC answer.
      done('bad_response');
      if (!stream.headersSent && !stream.destroyed)
        answerGrpc(stream, GrpcStatus.INTERNAL, 'the upstream ended the call without an answer');
      else if (!stream.writableEnded) stream.end();
    });
    upstream.on('error', (err) => {
      done(stream.headersSent ? 'bad_response' : 'unavailable');
      if (stream.destroyed) return;
      if (!stream.headersSent)
        answerGrpc(
          stream,
          GrpcStatus.UNAVAILABLE,
          `upstream ${share.upstream.name}: ${message(err)}`,
        );
      else stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.pipe(upstream);
    // A client's reset (other than a cancel) is an error of its stream alone.
    stream.on('error', () => undefined);
    // The client gave up (deadline, cancel): the replica's call is cancelled with it.
    stream.on('close', () => {
      if (!upstream.destroyed) upstream.close(constants.NGHTTP2_CANCEL);
    });
  }

  /**
   * The next replica round-robin, passing over those whose last connection failed less than the
   * upstream's base ejection time ago (sessionTo) while another is left: a replica that is gone costs one failed call per hold, not
   * every Nth call (its EndpointSlice entry goes when Kubernetes sees it is not ready).
   */
  private replicaFor(urls: readonly string[]): string {
    const now = Date.now();
    for (let tried = 0; tried < urls.length; tried++) {
      const origin = new URL(urls[this.nextReplica++ % urls.length]).origin;
      const until = this.unreachable.get(origin);
      if (until === undefined || until <= now) return origin;
    }
    return new URL(urls[this.nextReplica++ % urls.length]).origin;
  }

  /**
   * The session to `origin`, opened when there is none: within the upstream's connect timeout,
   * else it is destroyed and its calls answered UNAVAILABLE (a replica whose address no longer
   * answers would otherwise hold them for the kernel's SYN retries).
   */
  private sessionTo(origin: string, upstream: HttpUpstreamModel): ClientHttp2Session {
    const open = this.sessions.get(origin);
    if (open && !open.closed && !open.destroyed) return open;
    const session = connect(origin);
    const holdMs = upstream.traffic.outlier.baseEjectionMs;
    const connectTimer = setTimeout(
      () =>
        session.destroy(new Error(`no connection within ${upstream.traffic.connectTimeoutMs} ms`)),
      upstream.traffic.connectTimeoutMs,
    );
    connectTimer.unref();
    session.once('connect', () => {
      clearTimeout(connectTimer);
      this.unreachable.delete(origin);
    });
    const forget = () => {
      clearTimeout(connectTimer);
      if (this.sessions.get(origin) === session) this.sessions.delete(origin);
    };
    session.on('error', () => {
      if (!session.connecting) return forget();
      this.unreachable.set(origin, Date.now() + holdMs);
      forget();
    });
    session.on('goaway', forget);
    session.on('close', forget);
    this.sessions.set(origin, session);
    return session;
  }
}

function outcomeOf(status: string | string[] | undefined): UpstreamOutcome {
  return status === undefined || Array.isArray(status)
    ? 'bad_response'
    : grpcOutcome(Number(status));
}

function isGrpc(headers: IncomingHttpHeaders): boolean {
  return headers['content-type']?.startsWith('application/grpc') ?? false;
}

/** The end-to-end headers, pseudo-headers of the request kept (`:authority` is the client's). */
function passedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const passed: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_HEADERS.has(name) && name !== ':status' && name !== ':scheme')
      passed[name] = value;
  if (headers[':status'] !== undefined) passed[':status'] = String(headers[':status']);
  return passed;
}

/** A trailers-only gRPC answer: HTTP 200 with the status in its one HEADERS frame. */
function answerGrpc(stream: ServerHttp2Stream, status: number, text: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(status),
      'grpc-message': grpcMessage(text),
    },
    { endStream: true },
  );
}

/** grpc-message's encoding: printable ASCII but `%` as it is, every other UTF-8 byte as `%XX`. */
function grpcMessage(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8'))
    encoded +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return encoded;
}

function answerHttp(stream: ServerHttp2Stream, status: number, text: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ':status': status, 'content-type': 'application/json' });
  stream.end(JSON.stringify({ statusCode: status, message: text }));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
