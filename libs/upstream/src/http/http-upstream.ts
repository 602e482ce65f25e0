import { REQUEST_ID_HEADER } from '@app/logging';
import { HttpException, Logger } from '@nestjs/common';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { UpstreamCircuitBreaker } from '../circuit-breaker';
import type { Endpoint } from '../discovery/endpoint';
import { EndpointSet } from '../discovery/endpoint-set';
import { createNameResolver, type NameResolver } from '../discovery/name-resolver';
import { OutlierDetector } from '../discovery/outlier-detector';
import { LeastRequest } from '../discovery/least-request';
import { parseUpstreamUrls } from '../discovery/upstream-url';
import { Retries, RetryableFailure } from '../retries';
import type { TrafficPolicy } from '../traffic-policy';
import { UpstreamException } from '../upstream.exception';
import type { UpstreamMetrics } from '../upstream-metrics';
import { outcomeOf } from '../upstream-outcome';
import type { UpstreamStates } from '../upstream-states';
import { transportFailure } from './transport-failure';

/** A request as the gateway forwards it: hop-by-hop headers already removed (forwarded-headers). */
export interface ForwardRequest {
  method: string;
  /** Path and query, relative to the upstream's base URL. */
  path: string;
  headers: Readonly<Record<string, string | readonly string[]>>;
  body: Buffer | undefined;
  requestId: string;
  /** Host header sent instead of the replica's own authority (a route's `rewrite.hostname`). */
  host?: string;
}

export interface ForwardResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

/** What one call may spend: its total time (retries included) and attempts (unset: the policy's). */
export interface CallBudget {
  timeoutMs: number;
  maxAttempts: number | undefined;
  /**
   * Whether the call may run twice (the route's `retry.idempotent`): then an attempt that timed out
   * or lost its connection after the replica read it is retried too, on another replica.
   */
  idempotent: boolean;
  /**
   * Idempotent calls only: longest one attempt may wait, so that a replica that hangs costs a
   * retry rather than the whole `timeoutMs` (unset: the policy's).
   */
  perTryTimeoutMs: number | undefined;
}

export interface HttpUpstreamOptions {
  /** The upstream's name in errors, metrics, logs and health details, e.g. "webapp-1". */
  name: string;
  /** Base URL(s), comma-separated: names are resolved to all their addresses (WEBAPP_URL). */
  url: string;
  /** Total time budget of one call, retries included. */
  timeoutMs: number;
  policy: TrafficPolicy;
  /** How names are resolved; default: DNS as the policy says (DNS_SERVERS or the system's). */
  resolve?: NameResolver;
}

/**
 * An HTTP upstream (webapp-1): per-request round robin over every address of its name(s), passive
 * outlier ejection, retries only where the request provably never reached the service (on another
 * replica, within the retry budget), one circuit breaker, and metrics for all of it. Requests go to
 * the endpoint's address with the configured name as Host, through the upstream's own axios instance (create-http-upstream.ts).
 */
export class HttpUpstream {
  readonly name: string;
  private readonly endpoints: EndpointSet;
  private readonly detector: OutlierDetector<Endpoint>;
  private readonly balancer: LeastRequest<Endpoint>;
  private readonly retries: Retries;
  private readonly breaker: UpstreamCircuitBreaker;
  private readonly logger: Logger;

  constructor(
    private readonly axios: AxiosInstance,
    private readonly options: HttpUpstreamOptions,
    private readonly metrics: UpstreamMetrics,
    states: UpstreamStates,
  ) {
    const { name, policy } = options;
    this.name = name;
    this.logger = new Logger(`upstream:${name}`);
    this.endpoints = new EndpointSet(
      parseUpstreamUrls(options.url),
      options.resolve ?? createNameResolver(policy.discovery.dnsServers),
      policy.discovery.refreshMs,
      this.logger,
    );
    this.detector = new OutlierDetector<Endpoint>(policy.outlier, (endpoint, durationMs) => {
      metrics.ejected(name);
      this.logger.warn(
        { endpoint: endpoint.key, ejected_ms: durationMs },
        'endpoint ejected from rotation',
      );
    });
    this.balancer = new LeastRequest(this.detector);
    this.retries = new Retries(policy.retry, () => metrics.retried(name));
    this.breaker = new UpstreamCircuitBreaker(name, policy.breaker, (state) => {
      metrics.transition(name, state);
      this.logger.warn({ breaker: state }, `circuit breaker ${state}`);
    });
    metrics.register(name);
    states.register(name, () => ({
      breaker: this.breaker.state,
      endpoints: this.endpoints.endpoints.map((endpoint) => ({
        address: endpoint.key,
        state: this.detector.state(endpoint),
      })),
    }));
    states.warmUp(
      name,
      () => {
        if (this.endpoints.endpoints.length > 0) return true;
        this.endpoints.refreshSoon();
        return false;
      },
      policy.discovery.warmUpTimeoutMs,
    );
  }

  /** First resolution, then periodic refreshes. */
  start(): Promise<void> {
    return this.endpoints.start();
  }

  /** Sends to these base URLs from now on (same syntax as `url`); endpoints still listed carry on. */
  retarget(url: string): void {
    this.endpoints.retarget(parseUpstreamUrls(url));
  }

  stop(): void {
    this.endpoints.stop();
    this.breaker.shutdown();
  }

  /**
   * POSTs JSON to `path` and returns the response body. A 4xx is the caller's fault as judged by
   * the upstream: its message reaches the client (clientError). Everything else that is not a 2xx
   * becomes an UpstreamException (502 / 503 / 504, or 503 + Retry-After while the breaker is open).
   */
  async postJson(path: string, body: unknown, requestId: string): Promise<unknown> {
    const response = await this.forward(
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
        requestId,
      },
      {
        timeoutMs: this.options.timeoutMs,
        maxAttempts: undefined,
        idempotent: false,
        perTryTimeoutMs: undefined,
      },
    );
    const text = response.body.toString('utf8');
    const data: unknown = text === '' ? '' : parseJson(text);
    if (response.status >= 400) throw clientError(this.name, response.status, data);
    return data;
  }

  /**
   * One proxied call: the request as given (its path relative to the upstream's base URL), the
   * answer as the upstream gave it when below 500 - a 4xx is the caller's fault, passed through.
   * A 5xx or a transport failure becomes an UpstreamException (502 / 503 / 504, or 503 +
   * Retry-After while the breaker is open). Retries follow transport-failure.ts: only attempts
   * that provably never reached a replica, on another replica, within the call's time budget.
   */
  async forward(request: ForwardRequest, call: CallBudget): Promise<ForwardResponse> {
    const startedAt = performance.now();
    try {
      const response = await this.breaker.run(() => this.send(request, call));
      // A 4xx is a healthy answer (it counts for the breaker), but not a success of the call.
      this.metrics.observe(
        this.name,
        response.status >= 400 ? 'client_error' : 'success',
        startedAt,
      );
      return response;
    } catch (err) {
      this.metrics.observe(this.name, outcomeOf(err), startedAt);
      throw err;
    }
  }

  /** Attempts until one is answered, or a failure may not (or need not) be retried. */
  private async send(request: ForwardRequest, call: CallBudget): Promise<ForwardResponse> {
    const endpoints = this.endpoints.endpoints;
    const tried: Endpoint[] = [];
    let lastFailure: UpstreamException | undefined;
    const { endpoint, response } = await this.retries.run(
      {
        deadline: Date.now() + call.timeoutMs,
        idempotent: call.idempotent,
        perTryTimeoutMs: call.perTryTimeoutMs,
        maxAttempts: call.maxAttempts,
      },
      async (_number, attemptDeadline) => {
        const endpoint = this.balancer.pick(endpoints, tried);
        if (!endpoint) throw lastFailure ?? this.noEndpoint();
        tried.push(endpoint);
        let response: AxiosResponse<Buffer>;
        endpoint.health.outstanding++;
        try {
          response = await this.exchange(endpoint, request, attemptDeadline);
        } catch (err) {
          const failure = transportFailure(this.name, err);
          this.detector.recordFailure(endpoint, failure.endpoint, endpoints);
          if (!failure.retryable && !(call.idempotent && failure.afterRead))
            throw failure.exception;
          lastFailure = failure.exception;
          throw new RetryableFailure(failure.exception);
        } finally {
          endpoint.health.outstanding--;
        }
        // A 5xx is the upstream's failure; not retried: it read the request.
        if (response.status >= 500) {
          this.detector.recordFailure(endpoint, 'response', endpoints);
          throw new UpstreamException(this.name, 'bad_response', `HTTP ${response.status}`);
        }
        return { endpoint, response };
      },
    );
    this.detector.recordSuccess(endpoint);
    return {
      status: response.status,
      headers: response.headers as ForwardResponse['headers'],
      body: response.data,
    };
  }

  private exchange(
    endpoint: Endpoint,
    request: ForwardRequest,
    deadline: number,
  ): Promise<AxiosResponse<Buffer>> {
    // Only what differs per call: the rest is on the instance (upstream-axios.ts).
    return this.axios.request({
      method: request.method,
      url: endpoint.baseUrl + request.path,
      data: request.body,
      headers: {
        // The instance's JSON defaults only where the request itself has none.
        accept: null,
        'content-type': null,
        ...request.headers,
        host: request.host ?? endpoint.target.authority,
        [REQUEST_ID_HEADER]: request.requestId,
      },
      responseType: 'arraybuffer',
      timeout: Math.max(1, deadline - Date.now()),
    });
  }

  private noEndpoint(): UpstreamException {
    this.endpoints.refreshSoon();
    return new UpstreamException(this.name, 'unavailable', 'no endpoint resolved');
  }
}

/**
 * The upstream judged the request to be the caller's fault: its message (and the field it names)
 * reach the client, nothing else of its answer (which could describe the upstream's internals).
 */
function clientError(upstream: string, status: number, data: unknown): HttpException {
  const body = (typeof data === 'object' && data) || {};
  const { message, field } = body as { message?: unknown; field?: unknown };
  return new HttpException(
    {
      message: typeof message === 'string' ? message : `${upstream} rejected the request`,
      ...(typeof field === 'string' && { field }),
    },
    status,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
