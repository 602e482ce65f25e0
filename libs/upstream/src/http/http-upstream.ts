import { REQUEST_ID_HEADER } from '@app/logging';
import { HttpException, Logger } from '@nestjs/common';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { UpstreamCircuitBreaker } from '../circuit-breaker';
import type { Endpoint } from '../discovery/endpoint';
import { EndpointSet } from '../discovery/endpoint-set';
import { createNameResolver, type NameResolver } from '../discovery/name-resolver';
import { OutlierDetector } from '../discovery/outlier-detector';
import { RoundRobin } from '../discovery/round-robin';
import { parseUpstreamUrls } from '../discovery/upstream-url';
import { Retries, RetryableFailure } from '../retries';
import type { TrafficPolicy } from '../traffic-policy';
import { UpstreamException } from '../upstream.exception';
import type { UpstreamMetrics } from '../upstream-metrics';
import { outcomeOf } from '../upstream-outcome';
import type { UpstreamStates } from '../upstream-states';
import { transportFailure } from './transport-failure';

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
 * the endpoint's address with the configured name as Host, through @nestjs/axios's instance.
 */
export class HttpUpstream {
  readonly name: string;
  private readonly endpoints: EndpointSet;
  private readonly detector: OutlierDetector;
  private readonly balancer: RoundRobin;
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
    this.detector = new OutlierDetector(policy.outlier, (endpoint, durationMs) => {
      metrics.ejected(name);
      this.logger.warn(
        { endpoint: endpoint.key, ejected_ms: durationMs },
        'endpoint ejected from rotation',
      );
    });
    this.balancer = new RoundRobin(this.detector);
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

  stop(): void {
    this.endpoints.stop();
    this.breaker.shutdown();
  }

  /**
   * POSTs JSON to `path` and returns the response body. A 4xx is the caller's fault as judged by
   * the upstream: passed through as is. Everything else that is not a 2xx becomes an
   * UpstreamException (502 / 503 / 504, or 503 + Retry-After while the breaker is open).
   */
  async postJson(path: string, body: unknown, requestId: string): Promise<unknown> {
    const startedAt = performance.now();
    try {
      const data = await this.breaker.run(() => this.send(path, body, requestId));
      this.metrics.observe(this.name, 'success', startedAt);
      return data;
    } catch (err) {
      this.metrics.observe(this.name, outcomeOf(err), startedAt);
      throw err;
    }
  }

  /** Attempts until one is answered, or a failure may not (or need not) be retried. */
  private async send(path: string, body: unknown, requestId: string): Promise<unknown> {
    const deadline = Date.now() + this.options.timeoutMs;
    const endpoints = this.endpoints.endpoints;
    const tried: Endpoint[] = [];
    let lastFailure: UpstreamException | undefined;
    const { endpoint, response } = await this.retries.run(deadline, async () => {
      const endpoint = this.balancer.pick(endpoints, tried);
      if (!endpoint) throw lastFailure ?? this.noEndpoint();
      tried.push(endpoint);
      let response: AxiosResponse;
      try {
        response = await this.exchange(endpoint, path, body, requestId, deadline);
      } catch (err) {
        const failure = transportFailure(this.name, err);
        this.detector.recordFailure(endpoint, failure.endpoint, endpoints);
        if (!failure.retryable) throw failure.exception;
        lastFailure = failure.exception;
        throw new RetryableFailure(failure.exception);
      }
      // A 5xx is the upstream's failure; not retried: it read the request.
      if (response.status >= 500) {
        this.detector.recordFailure(endpoint, 'response', endpoints);
        throw new UpstreamException(this.name, 'bad_response', `HTTP ${response.status}`);
      }
      return { endpoint, response };
    });
    return this.answer(endpoint, response);
  }

  private exchange(
    endpoint: Endpoint,
    path: string,
    body: unknown,
    requestId: string,
    deadline: number,
  ): Promise<AxiosResponse> {
    // Only what differs per call: the rest is on the instance (upstream-axios.ts).
    return this.axios.post(endpoint.baseUrl + path, body, {
      headers: { host: endpoint.target.authority, [REQUEST_ID_HEADER]: requestId },
      timeout: Math.max(1, deadline - Date.now()),
    });
  }

  /** The upstream answered below 500: a success, or (4xx) the caller's fault. */
  private answer(endpoint: Endpoint, response: AxiosResponse): unknown {
    this.detector.recordSuccess(endpoint);
    if (response.status >= 400) throw clientError(this.name, response);
    return response.data;
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
function clientError(upstream: string, response: AxiosResponse): HttpException {
  const body = (typeof response.data === 'object' && response.data) || {};
  const { message, field } = body as { message?: unknown; field?: unknown };
  return new HttpException(
    {
      message: typeof message === 'string' ? message : `${upstream} rejected the request`,
      ...(typeof field === 'string' && { field }),
    },
    response.status,
  );
}
