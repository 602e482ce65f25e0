import { GATEWAY_API_GROUP, type GatewayApiSnapshot } from '@app/gateway-api';
import {
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  ListWatch,
  type ObjectCache,
  Watch,
} from '@kubernetes/client-node';

/**
 * The objects the Gateway API translation reads, each kept current by a list+watch informer of
 * @kubernetes/client-node (the one place this project talks to the Kubernetes API; ADR 0011).
 * `snapshot()` is what the caches hold now: while the API server is unreachable they keep the last
 * objects, so a caller that rebuilds only on `onChange` keeps serving its last table.
 */
export interface GatewayApiWatch {
  snapshot(): GatewayApiSnapshot;
  stop(): Promise<void>;
}

export interface GatewayApiWatchOptions {
  /** Called after any object of a watched kind was added, changed or deleted. */
  onChange(): void;
  /** A kind's list or watch failed; it is retried after `retryMs`. */
  onError(kind: string, error: unknown): void;
  retryMs: number;
  /**
   * How long the first list of every kind may take: past it, watchGatewayApi rejects, naming
   * each kind not listed and why (a missing CRD, no access to the API server), and stops.
   */
  startTimeoutMs: number;
  /** Where the API server is and who this process is to it (loadKubeConfig). */
  config: KubeConfig;
  /**
   * Watch the TLS Secrets too (type kubernetes.io/tls only), for HTTPS listeners' certificates.
   * Off: none is read, and the snapshot has no `secrets`.
   */
  secrets?: boolean;
}

type SnapshotKey = Exclude<keyof GatewayApiSnapshot, 'gatewayAddresses'>;

/**
 * apiVersion, kind and the cluster-wide watch path of each kind the snapshot holds, and the field
 * selector narrowing what is listed.
 */
const KINDS: Record<
  SnapshotKey,
  { apiVersion: string; kind: string; path: string; fieldSelector?: string }
> = {
  gatewayClasses: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    path: '/apis/gateway.networking.k8s.io/v1/gatewayclasses',
  },
  gateways: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    path: '/apis/gateway.networking.k8s.io/v1/gateways',
  },
  httpRoutes: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    path: '/apis/gateway.networking.k8s.io/v1/httproutes',
  },
  grpcRoutes: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    path: '/apis/gateway.networking.k8s.io/v1/grpcroutes',
  },
  referenceGrants: {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    path: '/apis/gateway.networking.k8s.io/v1beta1/referencegrants',
  },
  namespaces: { apiVersion: 'v1', kind: 'Namespace', path: '/api/v1/namespaces' },
  services: { apiVersion: 'v1', kind: 'Service', path: '/api/v1/services' },
  endpointSlices: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    path: '/apis/discovery.k8s.io/v1/endpointslices',
  },
  // Only certificates: the API server filters by type, so no other Secret reaches this process.
  secrets: {
    apiVersion: 'v1',
    kind: 'Secret',
    path: '/api/v1/secrets',
    fieldSelector: 'type=kubernetes.io/tls',
  },
};

type Watched = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/**
 * Starts an informer per kind and resolves once every one has listed its objects (retrying a kind
 * whose list fails - its CRD not installed yet, the API server away - every `retryMs`). Changes
 * are reported from then on; the first snapshot is the caller's to take.
 */
export async function watchGatewayApi(options: GatewayApiWatchOptions): Promise<GatewayApiWatch> {
  const config = options.config;
  const client = KubernetesObjectApi.makeApiClient(config);
  let stopped = false;
  const informers = new Map<SnapshotKey, Watched>();
  const timers = new Set<NodeJS.Timeout>();

  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), options.retryMs);
      timers.add(timer);
    });

  // An informer reports a failed list or watch to its error callbacks and stops (start() itself
  // resolves either way): until a kind has listed once, start it again every retryMs here; after
  // that, the error callback does (it lists afresh and reports what changed meanwhile), its cache
  // serving the last objects until then.
  const watchKind = async (key: SnapshotKey): Promise<void> => {
    const { apiVersion, kind, path, fieldSelector } = KINDS[key];
    const informer: Watched = new ListWatch<KubernetesObject>(
      path,
      new Watch(config),
      () =>
        client.list<KubernetesObject>(
          apiVersion,
          kind,
          undefined,
          undefined,
          undefined,
          undefined,
          fieldSelector,
        ),
      false,
      undefined,
      fieldSelector,
    );
    const state = { listed: false, failed: false };
    // The Gateway API kinds count spec changes in metadata.generation; an update that leaves it
    // alone changed only their status or metadata, which the translation does not read - and
    // every status this controller writes comes back as such an update.
    const generations = apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)
      ? new Map<string, string>()
      : undefined;
    const objectKey = (object: KubernetesObject) =>
      `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    // uid too: an object deleted and created again under its name starts at generation 1 again.
    const version = (object: KubernetesObject) =>
      `${object.metadata?.uid ?? ''}:${object.metadata?.generation ?? ''}`;
    informer.on('add', (object) => {
      generations?.set(objectKey(object), version(object));
      if (state.listed) options.onChange();
    });
    informer.on('update', (object) => {
      if (generations) {
        const before = generations.get(objectKey(object));
        generations.set(objectKey(object), version(object));
        if (before === version(object)) return;
      }
      if (state.listed) options.onChange();
    });
    informer.on('delete', (object) => {
      generations?.delete(objectKey(object));
      if (state.listed) options.onChange();
    });
    informer.on('error', (error) => {
      state.failed = true;
      lastErrors.set(kind, describe(error));
      options.onError(kind, error);
      if (state.listed && !stopped)
        void sleep().then(() => (stopped ? undefined : informer.start()));
    });
    informers.set(key, informer);
    while (!stopped) {
      state.failed = false;
      await informer.start();
      if (!state.failed) break;
      await sleep();
    }
    state.listed = true;
    lastErrors.delete(kind);
    unlisted.delete(kind);
  };

  const keys = (Object.keys(KINDS) as SnapshotKey[]).filter(
    (key) => key !== 'secrets' || options.secrets === true,
  );
  const lastErrors = new Map<string, string>();
  const unlisted = new Set(keys.map((key) => KINDS[key].kind));
  const stopAll = async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await Promise.all([...informers.values()].map((informer) => informer.stop()));
  };
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => {
      const kinds = [...unlisted].map((kind) => `${kind} (${lastErrors.get(kind) ?? 'no answer'})`);
      void stopAll();
      reject(
        new Error(
          `the Gateway API objects could not be listed within ${options.startTimeoutMs} ms: ${kinds.join(', ')}; are the Gateway API CRDs installed and may this service account list them?`,
        ),
      );
    }, options.startTimeoutMs);
  });
  try {
    await Promise.race([Promise.all(keys.map(watchKind)), timedOut]);
  } finally {
    clearTimeout(deadline);
  }

  const list = <T>(key: SnapshotKey) => (informers.get(key)?.list() ?? []) as unknown as T[];
  return {
    snapshot: () => ({
      gatewayClasses: list('gatewayClasses'),
      gateways: list('gateways'),
      httpRoutes: list('httpRoutes'),
      grpcRoutes: list('grpcRoutes'),
      referenceGrants: list('referenceGrants'),
      namespaces: list('namespaces'),
      services: list('services'),
      endpointSlices: list('endpointSlices'),
      ...(options.secrets === true ? { secrets: list('secrets') } : {}),
    }),
    stop: stopAll,
  };
}

/** An informer's error in one line: the API server's status message when it sent one. */
function describe(error: unknown): string {
  const failure = error as { body?: unknown; message?: string };
  const body = typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body ?? '');
  const status = /"message":"([^"]*)"/.exec(body)?.[1];
  return (status ?? failure.message ?? String(error)).split('\n')[0];
}
