// The local cluster of local-cluster/cluster.sh as the ops tests drive it: kubectl and helm
// against its kubeconfig, namespaces of their own (every one named ops-*), polling for states.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHART, REPO } from '../../../k8s/support/tools.ts';

export { CHART, REPO };

/** The cluster's directory (kubeconfig, kubectl, PKI); CLUSTER_DIR points at another checkout's. */
export const CLUSTER_DIR = process.env.CLUSTER_DIR ?? join(REPO, '.tools/cluster');
export const KUBECONFIG = join(CLUSTER_DIR, 'kubeconfig');
/** The add-ons local-cluster/lib/addons.sh builds, in this checkout. */
export const ADDON_BIN = join(REPO, '.tools/cluster/bin');
/** The bridge address: node IP, apiserver, CoreDNS; host processes the apiserver calls bind it. */
export const NODE_IP = '10.244.0.1';
export const REGISTRY = '127.0.0.1:5000';
/** The Docker engine of the cluster (local-cluster/lib/images.sh). */
export const DOCKER_HOST = 'unix:///run/gateway-stack-cluster/docker.sock';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects and values are free-form JSON */
const KUBECTL = join(CLUSTER_DIR, 'bin/kubectl');
const HELM = join(REPO, '.tools/bin/helm');

function exec(binary: string, args: string[], input?: string, timeoutMs = 120_000): string {
  try {
    return execFileSync(binary, args, {
      encoding: 'utf8',
      input,
      timeout: timeoutMs,
      env: { ...process.env, KUBECONFIG },
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')}: ${e.stderr || e.stdout || e.message}`, {
      cause: err,
    });
  }
}

export const kubectl = (args: string[], input?: string, timeoutMs?: number) =>
  exec(KUBECTL, args, input, timeoutMs);
export const helm = (args: string[], timeoutMs = 600_000) => exec(HELM, args, undefined, timeoutMs);

export function kubectlJson(args: string[]): any {
  return JSON.parse(kubectl([...args, '-o', 'json']));
}

/** Applies objects (JSON is YAML). */
export function apply(...objects: object[]): void {
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
}

/** Polls until `probe` returns something other than undefined/false; throws naming `what`. */
/** Thrown by an `until` probe when waiting longer cannot help (e.g. the deploy failed). */
export class GiveUp extends Error {}

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`,
      );
    await sleep(intervalMs);
  }
}

export function createNamespace(name: string): void {
  if (!name.startsWith('ops-')) throw new Error(`${name}: the ops tests use ops-* namespaces only`);
  deleteNamespace(name);
  kubectl(['create', 'namespace', name]);
}

export function deleteNamespace(name: string): void {
  if (!name.startsWith('ops-')) throw new Error(`${name}: the ops tests use ops-* namespaces only`);
  kubectl(
    ['delete', 'namespace', name, '--ignore-not-found', '--wait=true', '--timeout=180s'],
    undefined,
    200_000,
  );
}

/** The chart's appVersion: the tag of the images `npm run cluster -- images` imported. */
export function appVersion(): string {
  return /^appVersion:\s*'?([^'\s]+)'?/m.exec(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'))![1];
}

export interface Release {
  name: string;
  namespace: string;
}

/**
 * Small CPU requests for every pod of these tests: the node has 2 CPUs to allocate, shared with the
 * other suites; an HPA's CPU utilisation is relative to the request, whatever its size.
 */
const SHARED_NODE = {
  componentDefaults: {
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  },
  redis: { builtin: { resources: { requests: { cpu: '10m', memory: '32Mi' } } } },
};

function merge(base: any, over: any): any {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  if (typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

/** `helm upgrade --install --wait` of the chart with values given as an object. */
export function installChart(release: Release, values: object, timeoutS = 300): void {
  const dir = mkdtempSync(join(tmpdir(), 'ops-values-'));
  try {
    writeFileSync(join(dir, 'values.json'), JSON.stringify(merge(SHARED_NODE, values)));
    helm(
      [
        'upgrade',
        '--install',
        release.name,
        CHART,
        '-n',
        release.namespace,
        '-f',
        join(dir, 'values.json'),
        '--wait',
        `--timeout=${timeoutS}s`,
      ],
      (timeoutS + 30) * 1000,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resource name of a component, as the chart names it (release name containing gateway-stack). */
export const componentName = (release: Release, app: string) => `${release.name}-${app}`;

/** The NodePort of a Service's first port: the host reaches it on 127.0.0.1 (kube-proxy). */
export function nodePortUrl(namespace: string, service: string): string {
  const svc = kubectlJson(['get', 'service', service, '-n', namespace]);
  return `http://127.0.0.1:${svc.spec.ports[0].nodePort}`;
}

export interface PodInfo {
  name: string;
  ip: string;
  ready: boolean;
  deleting: boolean;
}

/** Pods matching a label selector. */
export function pods(namespace: string, selector: string): PodInfo[] {
  return kubectlJson(['get', 'pods', '-n', namespace, '-l', selector]).items.map((p: any) => ({
    name: p.metadata.name,
    ip: p.status.podIP,
    ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}

/** Selector of one app's pods in a release. */
export const appSelector = (release: Release, app: string) =>
  `app.kubernetes.io/instance=${release.name},app.kubernetes.io/component=${app}`;

export async function readyPods(
  namespace: string,
  selector: string,
  count: number,
  timeoutMs = 180_000,
) {
  return until(
    `${count} ready pods ${selector} in ${namespace}`,
    () => {
      const ready = pods(namespace, selector).filter((p) => p.ready && !p.deleting);
      return ready.length === count ? ready : undefined;
    },
    timeoutMs,
  );
}

/** Fails fast with a clear message when the cluster of local-cluster/cluster.sh is not up. */
export function requireCluster(): void {
  const ready = kubectl([
    'get',
    'nodes',
    '-o',
    'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
  ]);
  if (!ready.includes('True'))
    throw new Error(
      `no Ready node behind ${KUBECONFIG}: npm run cluster -- up && npm run cluster -- images`,
    );
}

export interface PortForward {
  url: string;
  stop(): void;
}

/** `kubectl port-forward` of `resource` (e.g. service/x) to a free port on 127.0.0.1. */
export async function portForward(
  namespace: string,
  resource: string,
  port: number,
): Promise<PortForward> {
  const child = spawn(
    KUBECTL,
    ['port-forward', '-n', namespace, '--address', '127.0.0.1', resource, `:${port}`],
    {
      env: { ...process.env, KUBECONFIG },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  const local = await until(
    `port-forward ${resource}`,
    () =>
      /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output)?.[1] ??
      (child.exitCode !== null ? Promise.reject(new Error(output)) : undefined),
    30_000,
    200,
  ).catch((err) => {
    stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${local}`, stop };
}
