// One Helm release of the chart on the local cluster: installed, upgraded and removed with the real
// helm, in a namespace of the tests' own (gs-*), and the names the chart gives its objects.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  CHART,
  helm,
  helmAsync,
  kubectl,
  kubectlAsync,
  kubectlJson,
  kubectlResult,
  waitFailure,
} from './cluster.ts';

export interface Release {
  name: string;
  namespace: string;
}

export const APPS = ['gateway', 'webapp-1', 'rpc-app-1'] as const;
export type App = (typeof APPS)[number];

/**
 * Small CPU requests for every pod, for specs that run many pods at once (autoscaling, several
 * releases): the node has 2 CPUs to allocate; an HPA's CPU utilisation is relative to the request,
 * whatever its size.
 */
export const SMALL_REQUESTS = {
  componentDefaults: {
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  },
  redis: { builtin: { resources: { requests: { cpu: '10m', memory: '32Mi' } } } },
};

/**
 * The gateway on a NodePort (the tests' load reaches it on the NodePort host) with a rate limit far
 * above any test's load, each gateway counting on its own (`redis.mode: none`), so every failure a
 * traffic spec counts is the stack's, not the limiter's. The shared limiter has its own specs:
 * redis-limit.cluster-spec.ts here, and test/e2e/ratelimit-churn.e2e-spec.ts for gateways that
 * come and go under a limit far above the load (docs/adr/0005-background-rate-limit-sync.md).
 */
export const LOAD_TEST_VALUES = {
  components: {
    gateway: { service: { type: 'NodePort' }, env: { RATE_LIMIT_LIMIT: '100000000' } },
  },
  redis: { mode: 'none' },
};

export interface InstallOptions {
  /** Values files (-f), before the values given as objects. */
  valuesFiles?: string[];
  extraArgs?: string[];
  /** helm's --wait timeout (default 300 s). */
  timeoutS?: number;
}

/**
 * `helm install --wait` of the chart with these values: an object, or objects helm merges in order
 * (later ones win, as with several -f). Returns the seconds it took.
 */
export function install(
  release: Release,
  values: object | object[] = {},
  options: InstallOptions = {},
): number {
  const started = Date.now();
  const call = helmCall(
    ['install', release.name, CHART, '--create-namespace'],
    release,
    values,
    options,
  );
  try {
    helm(call.args, call.timeoutMs);
  } finally {
    call.cleanup();
  }
  return (Date.now() - started) / 1000;
}

/**
 * `helm upgrade --wait`, without blocking this process: a spec's load keeps running through it.
 * Resolves to the seconds it took.
 */
export async function upgrade(
  release: Release,
  values: object = {},
  extraArgs: string[] = [],
): Promise<number> {
  const started = Date.now();
  const call = helmCall(['upgrade', release.name, CHART], release, values, { extraArgs });
  try {
    await helmAsync(call.args, call.timeoutMs);
  } finally {
    call.cleanup();
  }
  return (Date.now() - started) / 1000;
}

/** helm's arguments for a command with values (written to files until cleanup()) and --wait. */
function helmCall(
  command: string[],
  release: Release,
  values: object | object[],
  options: InstallOptions,
): { args: string[]; timeoutMs: number; cleanup: () => void } {
  const timeoutS = options.timeoutS ?? 300;
  const dir = mkdtempSync(join(tmpdir(), 'gs-values-'));
  const files = (Array.isArray(values) ? values : [values]).map((layer, i) => {
    const file = join(dir, `values-${i}.yaml`);
    writeFileSync(file, stringify(layer));
    return file;
  });
  return {
    args: [
      ...command,
      '-n',
      release.namespace,
      ...[...(options.valuesFiles ?? []), ...files].flatMap((f) => ['-f', f]),
      '--wait',
      '--timeout',
      `${timeoutS}s`,
      ...(options.extraArgs ?? []),
    ],
    timeoutMs: (timeoutS + 30) * 1000,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** helm uninstall, then the namespace (so the next run starts from nothing). */
export function uninstall(release: Release): void {
  if (kubectlResult(['get', 'namespace', release.namespace], { timeoutMs: 10_000 }).status !== 0)
    return;
  helm(['uninstall', release.name, '-n', release.namespace, '--wait', '--ignore-not-found']);
  deleteNamespace(release.namespace);
}

function ownNamespace(name: string): string {
  if (!name.startsWith('gs-'))
    throw new Error(`${name}: the cluster tests use gs-* namespaces only`);
  return name;
}

/** An empty namespace of this name (whatever a previous run left in it is deleted first). */
export function freshNamespace(name: string): void {
  deleteNamespace(name);
  kubectl(['create', 'namespace', ownNamespace(name)]);
}

export function deleteNamespace(name: string): void {
  kubectl(
    ['delete', 'namespace', ownNamespace(name), '--ignore-not-found', '--wait', '--timeout=180s'],
    { timeoutMs: 200_000 },
  );
}

/**
 * Objects left in a namespace (kind/name), those Kubernetes puts in every namespace aside; with a
 * selector, only those it matches.
 */
export function leftovers(namespace: string, selector?: string): string[] {
  const kinds =
    'pods,deployments,replicasets,statefulsets,jobs,services,endpointslices,configmaps,secrets,serviceaccounts,roles,rolebindings,poddisruptionbudgets,networkpolicies,horizontalpodautoscalers,persistentvolumeclaims';
  return kubectl([
    'get',
    kinds,
    '-n',
    namespace,
    ...(selector ? ['-l', selector] : []),
    '-o',
    'name',
  ])
    .split('\n')
    .filter(
      (name) => name && name !== 'configmap/kube-root-ca.crt' && name !== 'serviceaccount/default',
    );
}

/** The label selector of a release's objects, or of one app's. */
export function selector(release: Release, app?: string): string {
  return [`app.kubernetes.io/instance=${release.name}`, app && `app.kubernetes.io/component=${app}`]
    .filter(Boolean)
    .join(',');
}

/** A component's object name as the chart makes it for a release whose name contains the chart's. */
export const componentName = (release: Release, app: string) => `${release.name}-${app}`;

export function deploymentName(release: Release, app: string): string {
  const items = kubectlJson<{ items: { metadata: { name: string } }[] }>([
    'get',
    'deployments',
    '-n',
    release.namespace,
    '-l',
    selector(release, app),
  ]).items;
  if (items.length !== 1) throw new Error(`expected one ${app} Deployment, found ${items.length}`);
  return items[0].metadata.name;
}

/**
 * Waits until a Deployment's rollout is complete (kubectl rollout status, bounded), without blocking
 * this process: a spec's load keeps running through it.
 */
export async function rolloutStatus(
  release: Release,
  app: string,
  timeout = '240s',
): Promise<void> {
  const args = [
    'rollout',
    'status',
    '-n',
    release.namespace,
    `deployment/${deploymentName(release, app)}`,
    `--timeout=${timeout}`,
  ];
  const outcome = await kubectlAsync(args, 260_000);
  if (outcome.code !== 0)
    throw waitFailure(`kubectl ${args.join(' ')} exited ${outcome.code}`, args, outcome.output);
}
