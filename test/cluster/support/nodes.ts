// The cluster's nodes for the multi-node specs (`npm run cluster -- up --nodes N`): how many the tests
// ask for, where a release's pods run, and the node operations of an upgrade (cordon, eviction,
// drain) with the real kubectl. Everything here that runs while load is measured is asynchronous, so
// the load in this process never waits on a kubectl.
import { execFile } from 'node:child_process';
import {
  KUBECONFIG,
  KUBECTL,
  REPO,
  clusterNodes,
  kubectlAsync,
  type CommandOutcome,
} from './cluster.ts';
import { pods, isReady } from './pods.ts';
import { APPS, type App, type Release } from './release.ts';

/**
 * Nodes the cluster tests ask `up` for: CLUSTER_NODES, else 3 - spread, drain and node loss need
 * them, and every other spec runs on the same cluster (docs/local-cluster.md).
 */
export const WANTED_NODES = (() => {
  const wanted = Number(process.env.CLUSTER_NODES ?? '3');
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 9)
    throw new Error(`CLUSTER_NODES must be a number from 1 to 9, not ${process.env.CLUSTER_NODES}`);
  return wanted;
})();

export function readyNodeNames(): string[] {
  return clusterNodes()
    .filter((node) => node.ready)
    .map((node) => node.name);
}

/** App -> the nodes its live pods are bound to (one entry per pod). */
export function placement(release: Release): Record<App, string[]> {
  return Object.fromEntries(
    APPS.map((app) => [app, pods(release, app).map((pod) => pod.spec.nodeName ?? '(unscheduled)')]),
  ) as Record<App, string[]>;
}

/** The Eviction API on one pod, as `kubectl drain` calls it: 201 when allowed, 429 when a PDB refuses. */
export async function evict(namespace: string, pod: string): Promise<CommandOutcome> {
  const eviction = {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod, namespace },
  };
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      ['create', '--raw', `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, '-f', '-'],
      { cwd: REPO, env: { ...process.env, KUBECONFIG }, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? 1 : 0,
          stdout,
          output: `${stdout}${stderr}${err ? String(err) : ''}`,
        }),
    );
    child.stdin?.end(JSON.stringify(eviction));
  });
}

export interface HealthWatch {
  /** App -> the fewest Ready pods seen at once. */
  stop(): Promise<Record<App, number>>;
}

/**
 * Polls a release's Ready pods per app (every intervalMs, until stopped) and keeps the lowest count
 * of each: what a PodDisruptionBudget promises to keep.
 */
export function watchReadyPods(release: Release, intervalMs = 1000): HealthWatch {
  const lowest = Object.fromEntries(APPS.map((app) => [app, Infinity])) as Record<App, number>;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { code, stdout } = await kubectlAsync(
        ['get', 'pods', '-n', release.namespace, '-o', 'json'],
        15_000,
      );
      if (code === 0) {
        const items = (JSON.parse(stdout) as { items: Parameters<typeof isReady>[0][] }).items;
        for (const app of APPS) {
          const ready = items.filter(
            (pod) =>
              pod.metadata.labels['app.kubernetes.io/component'] === app &&
              pod.metadata.labels['app.kubernetes.io/instance'] === release.name &&
              !pod.metadata.deletionTimestamp &&
              isReady(pod),
          ).length;
          lowest[app] = Math.min(lowest[app], ready);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return lowest;
    },
  };
}
