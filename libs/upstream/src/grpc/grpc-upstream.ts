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
import { RetryBudget } from '../retry-budget';
import type { TrafficPolicy } from '../traffic-policy';
import type { UpstreamMetrics } from '../upstream-metrics';
import { outcomeOf } from '../upstream-outcome';
import type { UpstreamStates } from '../upstream-states';
import { grpcChannelOptions, type IdempotentMethod } from './grpc-channel-options';
import { usePollingDnsResolver } from './polling-dns-resolver';
import { grpcFailure } from './grpc-failure';

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
 * grpc-js tells how many attempts preceded the one that answered in this key of the reply's
 * metadata. Only replies are counted: on a failed call it writes the key into a status object its
 * load-balancing picker shares between calls, so the value there may belong to another call.
 */
const PREVIOUS_ATTEMPTS = 'grpc-previous-rpc-attempts';

/**
 * A gRPC upstream (rpc-app-1). Balancing, retries, the retry budget and outlier ejection happen
 * inside grpc-js, configured by grpcChannelOptions; this adds what grpc-js has not: the circuit
 * breaker, a deadline and the request id on every call, HTTP errors, and metrics.
 */
export class GrpcUpstream {
  readonly name: string;
  private readonly channelOptions: ChannelOptions;
  private readonly breaker: UpstreamCircuitBreaker;
  private readonly clients: Client[] = [];
  private readonly logger: Logger;
  /** For the gateway's own retry of idempotent calls grpc-js could not retry (see `attempts`). */
  private readonly budget: RetryBudget;

  constructor(
    private readonly options: GrpcUpstreamOptions,
    private readonly metrics: UpstreamMetrics,
    states: UpstreamStates,
  ) {
    const { name, policy } = options;
    this.name = name;
    const logger = new Logger(`upstream:${name}`);
    this.logger = logger;
    this.channelOptions = grpcChannelOptions(policy, options.idempotentMethods);
    this.budget = new RetryBudget(policy.retry);
    this.breaker = new UpstreamCircuitBreaker(name, policy.breaker, (state) => {
      metrics.transition(name, state);
      logger.warn({ breaker: state }, `circuit breaker ${state}`);
    });
    metrics.register(name);
    states.register(name, () => ({
      breaker: this.breaker.state,
      target: options.target,
      channel: this.channelState(),
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
    usePollingDnsResolver();
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
  async unary<T>(method: IdempotentMethod, requestId: string, invoke: UnaryInvoker<T>): Promise<T> {
    const idempotent = this.options.idempotentMethods.some(
      (m) => m.service === method.service && m.method === method.method,
    );
    const startedAt = performance.now();
    try {
      const reply = await this.breaker.run(() => this.attempts(requestId, invoke, idempotent));
      this.metrics.observe(this.name, 'success', startedAt);
      return reply;
    } catch (err) {
      this.metrics.observe(this.name, outcomeOf(err), startedAt);
      throw err;
    }
  }

  stop(): void {
    for (const client of this.clients) client.close();
    this.breaker.shutdown();
  }

  /**
   * grpc-js retries UNAVAILABLE itself, but only until a call is committed (response headers
   * received) and as its picker sees the replicas: a replica that dies mid-answer, or a retry that
   * lands on the dying replica before the picker heard of it, still ends as UNAVAILABLE (1 call in
   * ~3500 when a replica is SIGKILLed under load). An idempotent call gets one more attempt here,
   * on the channel's next pick, within the upstream's retry budget and the call's deadline.
   */
  private async attempts<T>(
    requestId: string,
    invoke: UnaryInvoker<T>,
    idempotent: boolean,
  ): Promise<T> {
    const deadline = Date.now() + this.options.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await this.call(requestId, invoke, deadline);
        this.budget.recordSuccess();
        return reply;
      } catch (failure) {
        const err = failure as ServiceError | null;
        const mayRetry = attempt === 1 && idempotent && err?.code === status.UNAVAILABLE;
        if (mayRetry) this.budget.recordFailure();
        if (!mayRetry || !this.budget.canRetry || Date.now() >= deadline)
          throw grpcFailure(this.name, err);
        this.metrics.retried(this.name);
      }
    }
  }

  /** One call as grpc-js makes it (with its own retries); rejects with grpc-js's error. */
  private call<T>(requestId: string, invoke: UnaryInvoker<T>, deadline: number): Promise<T> {
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_HEADER, requestId);
    return new Promise((resolve, reject) => {
      const call = invoke(metadata, { deadline }, (err, reply) => {
        if (err || reply === undefined) {
          if (err?.code === status.UNAVAILABLE)
            this.logger.debug({ details: err.details }, 'call failed: UNAVAILABLE');
          reject(err);
        } else resolve(reply);
      });
      call.once('metadata', (received: Metadata) => this.countRetries(received));
    });
  }

  private countRetries(metadata: Metadata): void {
    const previous = metadata.get(PREVIOUS_ATTEMPTS)[0];
    if (previous !== undefined) this.metrics.retried(this.name, Number(previous));
  }

  private channelState(): string {
    const client = this.clients[0];
    return client ? connectivityState[client.getChannel().getConnectivityState(false)] : 'none';
  }
}
