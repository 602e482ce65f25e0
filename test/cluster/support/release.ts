// One Helm release of the chart on the local cluster, and what the tests ask of it: its pods, its
// gateway's NodePort on 127.0.0.1, and each pod's own metrics (read through the API server's pod
// proxy, so no pod address is ever a test target).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../../support/eventually.ts';
import { servedIn } from '../../support/metrics.ts';
import { CHART, KUBECONFIG, REPO, helm, kubectl, kubectlJson, kubectlResult } from './cluster.ts';

export interface Release {
  name: string;
  namespace: string;
}

export interface Pod {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: {
    containers: {
      name: string;
      env?: { name: string; value?: string }[];
      envFrom?: { configMapRef?: { name: string } }[];
      resources: unknown;
      readinessProbe?: { httpGet?: { path: string; port: string | number } };
    }[];
  };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { ready: boolean; restartCount: number }[];
  };
}

export const APPS = ['gateway', 'webapp-1', 'rpc-app-1'] as const;
/** The chart's default admin port (componentDefaults.adminPort). */
export const ADMIN_PORT = 9000;
export type App = (typeof APPS)[number];

/** `helm install --wait` of the chart with these values (and files); returns the seconds it took. */
export function install(
  release: Release,
  values: object = {},
  options: { valuesFiles?: string[]; extraArgs?: string[] } = {},
): number {
  const started = Date.now();
  helm([
    'install',
    release.name,
    CHART,
    ...releaseArgs(release, values, options),
    '--create-namespace',
  ]);
  return (Date.now() - started) / 1000;
}

export function upgrade(release: Release, values: object = {}, extraArgs: string[] = []): number {
  const started = Date.now();
  helm(['upgrade', release.name, CHART, ...releaseArgs(release, values, { extraArgs })]);
  return (Date.now() - started) / 1000;
}

function releaseArgs(
  release: Release,
  values: object,
  options: { valuesFiles?: string[]; extraArgs?: string[] },
): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gs-values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  // helm reads the file before this returns (spawnSync); the folder goes right after.
  setImmediate(() => rmSync(dir, { recursive: true, force: true }));
  return [
    '-n',
    release.namespace,
    ...(options.valuesFiles ?? []).flatMap((f) => ['-f', f]),
    '-f',
    file,
    '--wait',
    '--timeout',
    '5m',
    ...(options.extraArgs ?? []),
  ];
}

/** helm uninstall, then the namespace (so the next run starts from nothing). */
export function uninstall(release: Release): void {
  if (kubectlResult(['get', 'namespace', release.namespace], 10_000).status !== 0) return;
  helm(['uninstall', release.name, '-n', release.namespace, '--wait', '--ignore-not-found']);
  kubectl(['delete', 'namespace', release.namespace, '--wait', '--timeout', '180s'], 200_000);
}

export function selector(release: Release, app?: string): string {
  return [`app.kubernetes.io/instance=${release.name}`, app && `app.kubernetes.io/component=${app}`]
    .filter(Boolean)
    .join(',');
}

export function pods(release: Release, app: string): Pod[] {
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

export function readyPods(release: Release, app: string): Pod[] {
  return pods(release, app).filter(isReady);
}

/**
 * Resolves once the NodePort behind `url` accepts a TCP connection (bounded). `helm install --wait`
 * returns when the pods are Ready; kube-proxy programs the Service's endpoints a moment later, and
 * until then its rules reject the connection (seen under load: a second or more).
 */
export async function nodePortAccepting(url: string, timeoutMs = 30_000): Promise<void> {
  const { hostname, port } = new URL(url);
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port), timeout: 1000 });
      const settle = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => settle(true));
      socket.once('error', () => settle(false));
      socket.once('timeout', () => settle(false));
    });
  await eventually(accepts, { timeoutMs, what: `${url}: the NodePort accepting a connection` });
}

/** The gateway Service's NodePort; the gateway is reached only as http://127.0.0.1:<it>. */
export function gatewayUrl(release: Release): string {
  const services = kubectlJson<{
    items: { spec: { type: string; ports: { name: string; nodePort?: number }[] } }[];
  }>(['get', 'services', '-n', release.namespace, '-l', selector(release, 'gateway')]).items;
  const nodePort = services
    .filter((s) => s.spec.type === 'NodePort')
    .flatMap((s) => s.spec.ports)
    .find((p) => p.nodePort)?.nodePort;
  if (!nodePort) throw new Error(`release ${release.name} has no gateway NodePort`);
  return `http://127.0.0.1:${nodePort}`;
}

/** A pod's admin /metrics, through the API server's pod proxy ('' when the pod does not answer). */
export function podMetrics(release: Release, pod: string): string {
  const result = kubectlResult(
    [
      'get',
      '--raw',
      `/api/v1/namespaces/${release.namespace}/pods/${pod}:${ADMIN_PORT}/proxy/metrics`,
    ],
    15_000,
  );
  return result.status === 0 ? result.stdout : '';
}

/**
 * The webapp-1 endpoints (`ip:port`) a gateway pod balances over (its readiness details, through the API
 * server's pod proxy); [] when the pod does not answer.
 */
export function gatewayWebappEndpoints(release: Release, pod: string): string[] {
  const result = kubectlResult(
    [
      'get',
      '--raw',
      `/api/v1/namespaces/${release.namespace}/pods/${pod}:${ADMIN_PORT}/proxy/_status/healthcheck`,
    ],
    15_000,
  );
  if (result.status !== 0) return [];
  const health = JSON.parse(result.stdout) as {
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

/**
 * `kubectl port-forward` to a Service on 127.0.0.1 (for releases whose gateway has no NodePort).
 * Returns the local URL and a stop function that kills exactly that process.
 */
export async function portForward(
  release: Release,
  service: string,
  port: number,
): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(
    join(REPO, '.tools/bin/kubectl'),
    [
      'port-forward',
      '-n',
      release.namespace,
      `service/${service}`,
      `0:${port}`,
      '--address',
      '127.0.0.1',
    ],
    { env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('kubectl port-forward did not start within 30 s'));
    }, 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited ${code}`));
    });
  });
  return { url, stop };
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

/** Waits until a Deployment's rollout is complete (kubectl rollout status, bounded). */
export function rolloutStatus(release: Release, app: string, timeout = '240s'): void {
  kubectl(
    [
      'rollout',
      'status',
      '-n',
      release.namespace,
      `deployment/${deploymentName(release, app)}`,
      `--timeout=${timeout}`,
    ],
    260_000,
  );
}
