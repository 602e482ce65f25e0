import {
  type ChannelOptions,
  connectivityState as ConnectivityState,
  experimental,
  status as Status,
} from '@grpc/grpc-js';
import { EndpointHealth, type EndpointState, type Tracked } from '../discovery/endpoint';
import { LeastRequest } from '../discovery/least-request';
import { OutlierDetector } from '../discovery/outlier-detector';
import type { OutlierPolicy } from '../traffic-policy';

/** The name of this policy in a grpc-js service config (grpc-channel-options.ts). */
export const LEAST_REQUEST_LB = 'gateway_least_request';

/**
 * Call metadata naming the replicas (host:port, comma-separated) earlier attempts of the same call
 * went to: a retry goes elsewhere while another replica is ready, as the HTTP upstreams' retries do
 * (grpc-js gives a picker no other per-call state). Read and removed when a replica is picked, so
 * it is never sent.
 */
export const PREVIOUS_ATTEMPTS_METADATA = 'gateway-previous-attempts';

/** Its settings in the service config: the upstream (for ejection reports) and its outlier policy. */
export interface LeastRequestLbSettings {
  upstream: string;
  outlier: OutlierPolicy;
}

/**
 * Statuses that count against a replica: the gateway answers them with 502 / 503 / 504
 * (grpc-http-status.ts). Client faults (INVALID_ARGUMENT, NOT_FOUND, ...) are healthy answers;
 * CANCELLED is the caller's doing and counts neither way.
 */
const FAILURES: ReadonlySet<number> = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DATA_LOSS,
]);

type EjectionListener = (endpoint: string, durationMs: number) => void;
const ejectionListeners = new Map<string, EjectionListener>();

/** Who hears of the ejections of an upstream's replicas (its metrics and log): one per name. */
export function onGrpcEjection(upstream: string, listener: EjectionListener): void {
  ejectionListeners.set(upstream, listener);
}

export interface GrpcEndpointState {
  address: string;
  state: EndpointState;
  /** The replica's connection, as grpc-js names its states (READY, CONNECTING, ...). */
  connection: string;
}

type EndpointSource = () => GrpcEndpointState[];
const endpointSources = new Map<string, EndpointSource>();

/**
 * The replicas of an upstream as its channel's policy sees them (health details, the
 * upstream_endpoints gauge); undefined before the channel resolved anything.
 */
export function grpcEndpoints(upstream: string): GrpcEndpointState[] | undefined {
  return endpointSources.get(upstream)?.();
}

class LeastRequestLbConfig implements experimental.TypedLoadBalancingConfig {
  constructor(readonly settings: LeastRequestLbSettings) {}

  getLoadBalancerName(): string {
    return LEAST_REQUEST_LB;
  }

  toJsonObject(): object {
    return { [LEAST_REQUEST_LB]: this.settings };
  }

  static createFromJson(json: unknown): LeastRequestLbConfig {
    const settings = json as Partial<LeastRequestLbSettings> | null;
    if (typeof settings?.upstream !== 'string' || typeof settings.outlier !== 'object')
      throw new Error(`${LEAST_REQUEST_LB}: expected { upstream, outlier }`);
    return new LeastRequestLbConfig(settings as LeastRequestLbSettings);
  }
}

/** One address of the upstream (a replica): its connection (a pick_first leaf) and its health. */
class Child implements Tracked {
  readonly health = new EndpointHealth();
  /** Bound once: handed to every call picked for this child, no closure per call. */
  readonly onCallStarted = (): void => {
    this.health.outstanding++;
  };
  readonly onCallEnded = (code: Status): void => {
    this.health.outstanding--;
    this.owner.ended(this, code);
  };

  constructor(
    readonly key: string,
    readonly leaf: experimental.LeafLoadBalancer,
    private readonly owner: LeastRequestLoadBalancer,
  ) {}
}

class LeastRequestPicker implements experimental.Picker {
  constructor(
    private readonly ready: readonly Child[],
    private readonly balancer: LeastRequest<Child>,
  ) {}

  pick(args: experimental.PickArgs): experimental.PickResult {
    const previous = args.metadata.get(PREVIOUS_ATTEMPTS_METADATA);
    let exclude: Child[] | undefined;
    if (previous.length > 0) {
      const tried = new Set(previous.join(',').split(','));
      exclude = this.ready.filter((child) => tried.has(child.key));
    }
    // Never undefined: the picker exists only while some child is ready (panic mode included);
    // when every ready one was tried already, any of them.
    const child =
      (exclude && this.balancer.pick(this.ready, exclude)) || this.balancer.pick(this.ready)!;
    const result = child.leaf.getPicker().pick(args);
    if (result.pickResultType !== experimental.PickResultType.COMPLETE) return result;
    if (previous.length > 0) args.metadata.remove(PREVIOUS_ATTEMPTS_METADATA);
    return { ...result, onCallStarted: child.onCallStarted, onCallEnded: child.onCallEnded };
  }
}

/**
 * The picker while no replica is connected and none is connecting (each in its reconnect backoff,
 * up to OUTLIER_MAX_EJECTION_MS): the first call it sees makes every replica try again now and
 * waits for the outcome, rather than failing at once until the backoff ends - e.g. a gateway whose
 * node comes back after a partition, its connections gone, answering before they are made again.
 * The balancer allows that once per initial reconnect backoff; other calls fail at once
 * (UNAVAILABLE), as before, so an upstream that is down still costs callers no wait.
 */
class ReconnectingPicker implements experimental.Picker {
  private reconnecting = false;

  constructor(
    private readonly balancer: LeastRequestLoadBalancer,
    private readonly failure: experimental.Picker,
  ) {}

  pick(args: experimental.PickArgs): experimental.PickResult {
    if (!this.reconnecting && !this.balancer.reconnectNow()) return this.failure.pick(args);
    this.reconnecting = true;
    return {
      pickResultType: experimental.PickResultType.QUEUE,
      subchannel: null,
      status: null,
      onCallStarted: null,
      onCallEnded: null,
    };
  }
}

/**
 * The gRPC side of the HTTP upstreams' balancing and ejection, as a grpc-js load-balancing policy:
 * one connection per resolved address (pick_first leaves, kept connected as round_robin does),
 * calls spread over the connected ones by LeastRequest (two choices, outstanding calls counted from
 * a call's start to its status), and replicas ejected by the same OutlierDetector as webapp-1's:
 * `consecutiveFailures` failed calls in a row (a DEADLINE_EXCEEDED included: a replica that hangs)
 * or the failure percentage of an interval, then probed back in after the ejection time. Replaces
 * grpc-js's round_robin + outlier_detection, which had no consecutive-failure rule and balanced
 * blindly, so a frozen replica kept its third of the calls until they timed out.
 *
 * Children are kept by address across re-resolutions (PollingDnsResolver sends the list every
 * refresh): a replica keeps its health and its outstanding count while DNS lists it.
 */
class LeastRequestLoadBalancer implements experimental.LoadBalancer {
  private children = new Map<string, Child>();
  private all: Child[] = [];
  private state = ConnectivityState.IDLE;
  private detector: OutlierDetector<Child> | undefined;
  private balancer: LeastRequest<Child> | undefined;
  private settingsJson = '';
  private upstream: string | undefined;
  private readonly endpointSource: EndpointSource = () => {
    const now = Date.now();
    return this.all.map((child) => ({
      address: child.key,
      state: this.detector?.state(child, now) ?? 'healthy',
      connection: ConnectivityState[child.leaf.getConnectivityState()],
    }));
  };
  private lastError: string | null = null;
  private updatesPaused = false;
  private readonly childHelper: experimental.ChannelControlHelper;
  /** The connections of the replicas, by address: their reconnect backoff is reset on demand. */
  private readonly subchannels = new Map<string, experimental.SubchannelInterface>();
  /** When reconnectNow() last made them try again, and how often it may (the initial backoff). */
  private lastReconnectAt = 0;
  private reconnectIntervalMs = 1000;

  constructor(private readonly helper: experimental.ChannelControlHelper) {
    this.childHelper = experimental.createChildChannelControlHelper(helper, {
      updateState: (_state, _picker, errorMessage) => {
        if (errorMessage) this.lastError = errorMessage;
        this.recompute();
      },
      createSubchannel: (address, args) => {
        const subchannel = helper.createSubchannel(address, args);
        this.subchannels.set(subchannel.getAddress(), subchannel);
        return subchannel;
      },
    });
  }

  updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    resolutionNote: string,
  ): boolean {
    if (!(config instanceof LeastRequestLbConfig)) return false;
    this.configure(config.settings);
    this.reconnectIntervalMs = options['grpc.initial_reconnect_backoff_ms'] ?? 1000;
    if (!endpoints.ok) {
      if (this.children.size === 0)
        this.publish(
          ConnectivityState.TRANSIENT_FAILURE,
          new experimental.UnavailablePicker(endpoints.error),
          endpoints.error.details,
        );
      return true;
    }
    const next = new Map<string, Child>();
    for (const endpoint of endpoints.value) {
      // Its address(es), host:port as logs name a replica.
      const key = endpoint.addresses.map(experimental.subchannelAddressToString).join(',');
      if (next.has(key)) continue;
      const known = this.children.get(key);
      if (known) {
        known.leaf.updateEndpoint(endpoint, options);
        next.set(key, known);
      } else {
        const leaf = new experimental.LeafLoadBalancer(
          endpoint,
          this.childHelper,
          options,
          resolutionNote,
        );
        next.set(key, new Child(key, leaf, this));
      }
    }
    this.updatesPaused = true;
    for (const [key, child] of this.children) if (!next.has(key)) child.leaf.destroy();
    const addresses = new Set([...next.keys()].flatMap((key) => key.split(',')));
    for (const address of this.subchannels.keys())
      if (!addresses.has(address)) this.subchannels.delete(address);
    const added = [...next.values()].filter((child) => !this.children.has(child.key));
    this.children = next;
    this.all = [...next.values()];
    for (const child of added) child.leaf.startConnecting();
    this.updatesPaused = false;
    if (this.all.length === 0) {
      const message = `No addresses resolved. Resolution note: ${resolutionNote}`;
      this.publish(
        ConnectivityState.TRANSIENT_FAILURE,
        new experimental.UnavailablePicker({ details: message }),
        message,
      );
      return true;
    }
    this.recompute();
    return true;
  }

  /** A call picked for `child` ended with `code`: its health. */
  ended(child: Child, code: Status): void {
    if (code === Status.CANCELLED || !this.detector) return;
    if (FAILURES.has(code)) this.detector.recordFailure(child, 'response', this.all);
    else this.detector.recordSuccess(child);
  }

  exitIdle(): void {
    for (const child of this.all) child.leaf.exitIdle();
  }

  resetBackoff(): void {
    this.resetWaitingSubchannels();
  }

  /**
   * Every replica waiting out its reconnect backoff tries again now, unless that was done less
   * than an initial backoff ago; says whether one does (ReconnectingPicker). Those still trying
   * to connect (a connection attempt that waits for the network) are left to it.
   */
  reconnectNow(): boolean {
    const now = Date.now();
    if (now - this.lastReconnectAt < this.reconnectIntervalMs) return false;
    this.lastReconnectAt = now;
    return this.resetWaitingSubchannels() > 0;
  }

  /** Resets the backoff of the connections in TRANSIENT_FAILURE (they connect at once); how many. */
  private resetWaitingSubchannels(): number {
    let reset = 0;
    for (const subchannel of this.subchannels.values())
      if (subchannel.getConnectivityState() === ConnectivityState.TRANSIENT_FAILURE) {
        subchannel.getRealSubchannel().resetBackoff();
        reset++;
      }
    return reset;
  }

  destroy(): void {
    const upstream = this.upstream;
    if (upstream !== undefined && endpointSources.get(upstream) === this.endpointSource)
      endpointSources.delete(upstream);
    for (const child of this.all) child.leaf.destroy();
    this.children = new Map();
    this.all = [];
    this.subchannels.clear();
  }

  getTypeName(): string {
    return LEAST_REQUEST_LB;
  }

  private configure(settings: LeastRequestLbSettings): void {
    const json = JSON.stringify(settings);
    if (json === this.settingsJson) return;
    this.settingsJson = json;
    this.upstream = settings.upstream;
    endpointSources.set(settings.upstream, this.endpointSource);
    this.detector = new OutlierDetector<Child>(settings.outlier, (child, durationMs) =>
      ejectionListeners.get(settings.upstream)?.(child.key, durationMs),
    );
    this.balancer = new LeastRequest(this.detector);
  }

  private recompute(): void {
    if (this.updatesPaused || !this.balancer) return;
    const ready = this.all.filter(
      (child) => child.leaf.getConnectivityState() === ConnectivityState.READY,
    );
    if (ready.length > 0) {
      this.publish(ConnectivityState.READY, new LeastRequestPicker(ready, this.balancer), null);
    } else if (this.has(ConnectivityState.CONNECTING)) {
      this.publish(ConnectivityState.CONNECTING, new experimental.QueuePicker(this), null);
    } else if (this.has(ConnectivityState.TRANSIENT_FAILURE)) {
      const message = `${LEAST_REQUEST_LB}: no connection established. Last error: ${this.lastError}`;
      const failure = new experimental.UnavailablePicker({ details: message });
      this.publish(
        ConnectivityState.TRANSIENT_FAILURE,
        new ReconnectingPicker(this, failure),
        message,
      );
    } else {
      this.publish(ConnectivityState.IDLE, new experimental.QueuePicker(this), null);
    }
    // Every replica stays connected, as round_robin keeps them.
    for (const child of this.all)
      if (child.leaf.getConnectivityState() === ConnectivityState.IDLE) child.leaf.exitIdle();
  }

  private has(state: ConnectivityState): boolean {
    return this.all.some((child) => child.leaf.getConnectivityState() === state);
  }

  private publish(
    state: ConnectivityState,
    picker: experimental.Picker,
    errorMessage: string | null,
  ): void {
    // Connections dropped: ask for a fresh resolution, as round_robin does.
    if (this.state === ConnectivityState.READY && state !== ConnectivityState.READY)
      this.helper.requestReresolution();
    this.state = state;
    this.helper.updateState(state, picker, errorMessage);
  }
}

/** Makes the policy known to grpc-js (once per process); channels name it in their service config. */
export function registerLeastRequestLb(): void {
  if (!experimental.isLoadBalancerNameRegistered(LEAST_REQUEST_LB))
    experimental.registerLoadBalancerType(
      LEAST_REQUEST_LB,
      LeastRequestLoadBalancer,
      LeastRequestLbConfig,
    );
}
