// What a cluster spec prints when something it waited for never became ready: the disk the nodes
// share, each Node's pressure conditions and taints, the namespace's pods that are not Ready and why,
// and its latest Warning events. One failed `helm install --wait` then says whether the cause was the
// release or the cluster under it (a tainted node fails every spec after it).
import { statfsSync } from 'node:fs';
import type { CommandResult } from './cluster.ts';

type Kubectl = (args: string[], options: { timeoutMs: number }) => CommandResult;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const GIB = 1024 ** 3;
const LIMIT = 8;

/** The free disk under `dir`, as the kubelet's eviction sees it (what an unprivileged write may use). */
export function diskAvailable(dir: string): string {
  try {
    const fs = statfsSync(dir);
    const available = (fs.bavail * fs.bsize) / GIB;
    const total = (fs.blocks * fs.bsize) / GIB;
    return `${available.toFixed(1)} GiB available of ${total.toFixed(0)} GiB under ${dir}`;
  } catch (err) {
    return `disk under ${dir}: ${(err as Error).message}`;
  }
}

function json<T>(kubectl: Kubectl, args: string[]): T | string {
  const result = kubectl([...args, '-o', 'json'], { timeoutMs: 15_000 });
  if (result.status !== 0) return `kubectl ${args.join(' ')}: ${result.stderr.trim()}`;
  return JSON.parse(result.stdout) as T;
}

function nodeLines(kubectl: Kubectl): string[] {
  const nodes = json<{
    items: {
      metadata: { name: string };
      spec: { taints?: { key: string; effect: string }[] };
      status: { conditions?: Condition[] };
    }[];
  }>(kubectl, ['get', 'nodes']);
  if (typeof nodes === 'string') return [nodes];
  return nodes.items.map((node) => {
    const conditions = node.status.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
    const pressure = conditions
      .filter((c) => c.type !== 'Ready' && c.status !== 'False')
      .map((c) => `${c.type}=${c.status}`);
    const taints = (node.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    return `node ${node.metadata.name}: Ready=${ready}${pressure.length ? `, ${pressure.join(', ')}` : ''}${taints.length ? `, taints ${taints.join(' ')}` : ''}`;
  });
}

function podLines(kubectl: Kubectl, namespace: string): string[] {
  const pods = json<{
    items: {
      metadata: { name: string };
      spec: { nodeName?: string };
      status: {
        phase?: string;
        conditions?: Condition[];
        containerStatuses?: {
          name: string;
          ready: boolean;
          state?: { waiting?: { reason?: string; message?: string } };
        }[];
      };
    }[];
  }>(kubectl, ['get', 'pods', '-n', namespace]);
  if (typeof pods === 'string') return [pods];
  return pods.items
    .filter((pod) => !pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .slice(0, LIMIT)
    .map((pod) => {
      const unscheduled = pod.status.conditions?.find(
        (c) => c.type === 'PodScheduled' && c.status === 'False',
      );
      const waiting = (pod.status.containerStatuses ?? [])
        .filter((c) => !c.ready && c.state?.waiting)
        .map((c) =>
          `${c.name} ${c.state?.waiting?.reason ?? ''} ${c.state?.waiting?.message ?? ''}`.trim(),
        );
      const why = unscheduled
        ? `unscheduled: ${unscheduled.message ?? unscheduled.reason}`
        : waiting.join('; ');
      return `pod ${pod.metadata.name} on ${pod.spec.nodeName ?? '-'}: ${pod.status.phase ?? '?'}${why ? `, ${why}` : ''}`;
    });
}

function warningLines(kubectl: Kubectl, namespace: string): string[] {
  const events = json<{
    items: {
      reason?: string;
      message?: string;
      involvedObject: { kind: string; name: string };
      lastTimestamp?: string;
      eventTime?: string;
    }[];
  }>(kubectl, ['get', 'events', '-n', namespace, '--field-selector', 'type=Warning']);
  if (typeof events === 'string') return [events];
  return events.items
    .sort((a, b) =>
      (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''),
    )
    .slice(-LIMIT)
    .map(
      (event) =>
        `warning ${event.involvedObject.kind}/${event.involvedObject.name} ${event.reason ?? ''}: ${(event.message ?? '').slice(0, 240)}`,
    );
}

/** A few lines on the cluster's state (and the namespace's, when given); never throws. */
export function describeClusterTrouble(
  kubectl: Kubectl,
  diskDir: string,
  namespace?: string,
): string {
  const lines: string[] = [diskAvailable(diskDir)];
  try {
    lines.push(...nodeLines(kubectl));
    if (namespace) lines.push(...podLines(kubectl, namespace), ...warningLines(kubectl, namespace));
  } catch (err) {
    lines.push(`cluster state unreadable: ${(err as Error).message}`);
  }
  return lines.map((line) => `  ${line}`).join('\n');
}

/** The namespace a kubectl or helm command names with -n / --namespace, if any. */
export function namespaceOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-n' || args[i] === '--namespace') return args[i + 1];
    if (args[i].startsWith('--namespace=')) return args[i].slice('--namespace='.length);
  }
  return undefined;
}

/** Whether a command waits for workloads to become ready, so its failure is worth a diagnosis. */
export function waitsForWorkloads(args: readonly string[]): boolean {
  return args.includes('--wait') || (args[0] === 'rollout' && args[1] === 'status');
}
