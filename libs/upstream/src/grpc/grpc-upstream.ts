import { REQUEST_ID_HEADER } from '@app/logging';
import {
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientUnaryCall,
  connectivityState,
  credentials,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { UpstreamCircuitBreaker } from '../circuit-breaker';
import { Retries, RetryableFailure } from '../retries';
import type { TrafficPolicy } from '../traffic-policy';
import type { UpstreamMetrics } from '../upstream-metrics';
import { outcomeOf } from '../upstream-outcome';
import type { UpstreamStates } from '../upstream-states';
import { grpcChannelOptions } from './grpc-channel-options';
import { grpcEndpoints, onGrpcEjection, PREVIOUS_ATTEMPTS_METADATA } from './least-request-lb';
import { usePollingDnsResolver } from './polling-dns-resolver';
import { grpcFailure } from './grpc-failure';

/** How an attempt of an idempotent call may end to be retried (Retries stops at the call's deadline). */
const RETRYABLE: ReadonlySet<number> = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/** A method that is safe to call twice (it changes nothing): only those are retried. */
export interface IdempotentMethod {
  /** Fully qualified service name, e.g. "userverify.UserVerify". */
  service: string;
  method: string;
}

/** What one call may spend and whether it may run twice (a route's own settings). */
export interface GrpcCallPolicy {
  /** Deadline of the call, retries included. */
  timeoutMs: number;
  /** Attempts, the first included; unset: the upstream's policy. */
  maxAttempts: number | undefined;
  idempotent: boolean;
  /**
   * Idempotent calls only: each attempt's own deadline, so a replica that hangs costs a retry on
   * another replica rather than the whole call (unset: the policy's).
   */
  perTryTimeoutMs: number | undefined;
}

export interface GrpcUpstreamOptions {
  /** The upstream's name in errors, metrics, logs and health details, e.g. "rpc-app-1". */
  name: string;
  /** grpc-js target: `dns:///name:port`, `dns://server/name:port` or `ipv4:a:port,b:port`. */
  target: string;
  /** Deadline of every call, retries included. */
  timeoutMs: number;
  idempotentMethods: readonly IdempotentMethod[];
  policy: TrafficPolicy;
}

export type UnaryInvoker<T> = (
  metadata: Metadata,
  options: CallOptions,
  callback: (err: ServiceError | null, reply?: T) => void,
) => ClientUnaryCall;

type ClientConstructor<C extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: ChannelOptions,
) => C;

/**
 * A gRPC upstream (rpc-app-1). Balancing and outlier ejection happen inside grpc-js, in the
 * gateway's own policy (least-request-lb.ts, configured by grpcChannelOptions); this adds the rest,
 * as for HTTP upstreams: per-try deadlines and retries of idempotent calls that end UNAVAILABLE or
 * DEADLINE_EXCEEDED (the one mechanism of retries.ts, with its budget - grpc-js retries nothing
 * itself), the circuit breaker, a deadline and the request id on every call, HTTP errors, metrics.
 */
export class GrpcUpstream {
  readonly name: string;
  private readonly channelOptions: ChannelOptions;
  private readonly breaker: UpstreamCircuitBreaker;
  private readonly clients: Client[] = [];
  private readonly logger: Logger;
  private readonly retries: Retries;

  constructor(
    private readonly options: GrpcUpstreamOptions,
    private readonly metrics: UpstreamMetrics,
    states: UpstreamStates,
  ) {
    const { name, policy } = options;
    this.name = name;
    const logger = new Logger(`upstream:${name}`);
    this.logger = logger;
    this.channelOptions = grpcChannelOptions(name, policy);
    onGrpcEjection(name, (endpoint, durationMs) => {
      metrics.ejected(name);
      logger.warn({ endpoint, ejected_ms: durationMs }, 'endpoint ejected from rotation');
    });
    this.retries = new Retries(policy.retry, () => metrics.retried(name));
    this.breaker = new UpstreamCircuitBreaker(name, policy.breaker, (state) => {
      metrics.transition(name, state);
      logger.warn({ breaker: state }, `circuit breaker ${state}`);
    });
    metrics.register(name);
    states.register(name, () => ({
      breaker: this.breaker.state,
      target: options.target,
      channel: this.channelState(),
      endpoints: grpcEndpoints(name),
    }));
    // Names need discovery before the first call can succeed; address lists (ipv4:, unix:) do not.
    if (!/^(ipv4|ipv6|unix|unix-abstract):/.test(options.target))
      states.warmUp(name, () => this.channelConnected(), policy.discovery.warmUpTimeoutMs);
  }

  /** The channel has a connected replica; asking also starts connecting an idle channel. */
  private channelConnected(): boolean {
    const client = this.clients[0];
    return client?.getChannel().getConnectivityState(true) === connectivityState.READY;
  }

  /** A client of a generated service on this upstream's channel (closed by stop()). */
  createClient<C extends Client>(Client: ClientConstructor<C>): C {
    usePollingDnsResolver(this.options.policy.discovery);
    const client = new Client(
      this.options.target,
      credentials.createInsecure(),
      this.channelOptions,
    );
    this.clients.push(client);
    return client;
  }

  /**
   * One unary call of `method` through the breaker, with the deadline and the request id as
   * metadata; retried only if the method is one of the upstream's `idempotentMethods`.
   */
  async unary<T>(
    method: IdempotentMethod,
    requestId: string,
    invoke: UnaryInvoker<T>,
    call: GrpcCallPolicy = this.policyOf(method),
  ): Promise<T> {
    const startedAt = performance.now();
    try {
      const reply = await this.breaker.run(() => this.attempts(requestId, invoke, call));
      this.metrics.observe(this.name, 'success', startedAt);
      return reply;
    } catch (err) {
      this.metrics.observe(this.name, outcomeOf(err), startedAt);
      throw err;
    }
  }

  /** The upstream's own settings for a method: its deadline, idempotent if listed. */
  private policyOf(method: IdempotentMethod): GrpcCallPolicy {
    return {
      timeoutMs: this.options.timeoutMs,
      maxAttempts: undefined,
      perTryTimeoutMs: undefined,
      idempotent: this.options.idempotentMethods.some(
        (m) => m.service === method.service && m.method === method.method,
      ),
    };
  }

  stop(): void {
    for (const client of this.clients) client.close();
    this.breaker.shutdown();
  }

  /**
   * Each attempt goes to the channel's pick (least-request-lb.ts: another replica while more than
   * one is connected, never one stuck with calls outstanding while another is free). An idempotent
   * method may run twice: its attempts each have a per-try deadline within the call's, and one that
   * ends UNAVAILABLE (the call never reached a replica, or the replica went away, e.g. SIGKILLed
   * mid-answer) or DEADLINE_EXCEEDED before the call's deadline (a replica that hangs) is retried.
   * Other methods get the whole deadline in one attempt and are not retried.
   */
  private attempts<T>(
    requestId: string,
    invoke: UnaryInvoker<T>,
    call: GrpcCallPolicy,
  ): Promise<T> {
    // The replicas this call's attempts went to, so a retry goes to another one.
    const tried: string[] = [];
    return this.retries.run(
      {
        deadline: Date.now() + call.timeoutMs,
        idempotent: call.idempotent,
        perTryTimeoutMs: call.perTryTimeoutMs,
        maxAttempts: call.maxAttempts,
      },
      async (_number, attemptDeadline) => {
        try {
          return await this.call(requestId, invoke, attemptDeadline, tried);
        } catch (failure) {
          const err = failure as ServiceError | null;
          const answer = grpcFailure(this.name, err);
          if (call.idempotent && RETRYABLE.has(err?.code ?? status.OK))
            throw new RetryableFailure(answer);
          throw answer;
        }
      },
    );
  }

  /**
   * One call as grpc-js makes it, away from the replicas in `tried` while another is ready; adds
   * the replica it went to when it fails. Rejects with grpc-js's error.
   */
  private call<T>(
    requestId: string,
    invoke: UnaryInvoker<T>,
    deadline: number,
    tried: string[],
  ): Promise<T> {
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_HEADER, requestId);
    if (tried.length > 0) metadata.set(PREVIOUS_ATTEMPTS_METADATA, tried.join(','));
    return new Promise((resolve, reject) => {
      let unary: ClientUnaryCall | undefined = undefined;
      unary = invoke(metadata, { deadline }, (err, reply) => {
        if (err || reply === undefined) {
          if (err?.code === status.UNAVAILABLE)
            this.logger.debug({ details: err.details }, 'call failed: UNAVAILABLE');
          if (unary) tried.push(unary.getPeer());
          reject(err);
        } else resolve(reply);
      });
    });
  }

  private channelState(): string {
    const client = this.clients[0];
    return client ? connectivityState[client.getChannel().getConnectivityState(false)] : 'none';
  }
}
