// A release's pods and what the tests ask of them: readiness, and each pod's own metrics and health,
// read through the API server's pod proxy (or kubectl exec), so no pod address is ever a test target.
import { servedIn } from '../../support/metrics.ts';
import { kubectl, kubectlJson, kubectlResult } from './cluster.ts';
import { selector, type Release } from './release.ts';

export interface Pod {
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: {
    /** The node the scheduler bound the pod to. */
    nodeName?: string;
    containers: {
      name: string;
      image: string;
      env?: { name: string; value?: string }[];
      envFrom?: { configMapRef?: { name: string } }[];
      resources: unknown;
      readinessProbe?: { httpGet?: { path: string; port: string | number } };
    }[];
  };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: { ready: boolean; restartCount: number }[];
  };
}

/** The chart's default admin port (componentDefaults.adminPort). */
export const ADMIN_PORT = 9000;

/** The pods of a release (of one app, when given) that are not being deleted. */
export function pods(release: Release, app?: string): Pod[] {
  return kubectlJson<{ items: Pod[] }>([
    'get',
    'pods',
    '-n',
    release.namespace,
    '-l',
    selector(release, app),
  ]).items.filter((pod) => !pod.metadata.deletionTimestamp);
}

export function isReady(pod: Pod): boolean {
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function readyPods(release: Release, app?: string): Pod[] {
  return pods(release, app).filter(isReady);
}

function podProxy(release: Release, pod: string, path: string): string | undefined {
  const result = kubectlResult(
    [
      'get',
      '--raw',
      `/api/v1/namespaces/${release.namespace}/pods/${pod}:${ADMIN_PORT}/proxy${path}`,
    ],
    { timeoutMs: 15_000 },
  );
  return result.status === 0 ? result.stdout : undefined;
}

/** A pod's admin /metrics, through the API server's pod proxy ('' when the pod does not answer). */
export function podMetrics(release: Release, pod: string): string {
  return podProxy(release, pod, '/metrics') ?? '';
}

/**
 * The webapp-1 endpoints (`ip:port`) a gateway pod balances over (its readiness details, through the API
 * server's pod proxy); [] when the pod does not answer.
 */
export function gatewayWebappEndpoints(release: Release, pod: string): string[] {
  const text = podProxy(release, pod, '/_status/healthcheck');
  if (text === undefined) return [];
  const health = JSON.parse(text) as {
    info?: { upstreams?: Record<string, { endpoints?: { address: string }[] }> };
  };
  return (health.info?.upstreams?.['webapp-1']?.endpoints ?? []).map((e) => e.address).sort();
}

/** Requests a backend pod has served: POST /create on webapp-1, VerifyUser calls on rpc-app-1. */
export function served(release: Release, app: 'webapp-1' | 'rpc-app-1', pod: string): number {
  const text = podMetrics(release, pod);
  if (text === '') return NaN;
  return servedIn(text, app);
}

/** served() for every ready pod of a backend, by pod name. */
export function servedByPod(release: Release, app: 'webapp-1' | 'rpc-app-1'): Map<string, number> {
  return new Map(
    readyPods(release, app).map((pod) => [
      pod.metadata.name,
      served(release, app, pod.metadata.name),
    ]),
  );
}

/** A pod's admin /metrics from inside its container (kubectl exec): works while its network is cut. */
export function podMetricsFromInside(release: Release, pod: string): string {
  return kubectl([
    'exec',
    '-n',
    release.namespace,
    pod,
    '--',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${ADMIN_PORT}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`,
  ]);
}
