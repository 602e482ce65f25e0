// What the HPAs of a release decide, and the autoscaling values the HPA tests share: one replica at
// rest, at most three, and stabilisation windows of seconds instead of minutes.
import { eventually } from '../../support/eventually.ts';
import { kubectlJson } from './cluster.ts';
import { SEED_REQUESTS } from './seed.ts';
import { count, steadyTraffic, type Traffic } from './traffic.ts';

export const MAX_REPLICAS = 3;

/** componentDefaults.autoscaling of the HPA tests, with `metrics` (CPU and/or requestRate). */
export function autoscalingValues(metrics: object) {
  return {
    enabled: true,
    minReplicas: 1,
    maxReplicas: MAX_REPLICAS,
    ...metrics,
    behavior: {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        policies: [{ type: 'Pods', value: 2, periodSeconds: 10 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: 20,
        policies: [{ type: 'Percent', value: 100, periodSeconds: 10 }],
      },
    },
  };
}

export interface Scale {
  /** Deployment name -> ready replicas. */
  ready: Record<string, number>;
  /** Deployment name -> the HPA's current metric values, as reported in its status. */
  metrics: Record<string, string[]>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are free-form JSON */
export function scale(namespace: string): Scale {
  const ready: Record<string, number> = {};
  for (const d of kubectlJson(['get', 'deployments', '-n', namespace]).items)
    ready[d.metadata.name] = d.status.readyReplicas ?? 0;
  const metrics: Record<string, string[]> = {};
  for (const h of kubectlJson(['get', 'hpa', '-n', namespace]).items)
    metrics[h.spec.scaleTargetRef.name] = (h.status.currentMetrics ?? []).map((m: any) =>
      m.type === 'Pods'
        ? `${m.pods.metric.name}=${m.pods.current.averageValue}`
        : m.type === 'Resource'
          ? `${m.resource.name}=${m.resource.current.averageUtilization}%`
          : m.type === 'External'
            ? `${m.external.metric.name}=${m.external.current.averageValue}`
            : JSON.stringify(m),
    );
  return { ready, metrics };
}

/** Polls until every deployment of `names` has `predicate(ready)`; returns seconds taken. */
async function waitForScale(
  namespace: string,
  names: string[],
  predicate: (ready: number) => boolean,
  what: string,
  timeoutMs: number,
): Promise<{ seconds: number; scale: Scale }> {
  const started = Date.now();
  let last: Scale | undefined;
  const result = await eventually(
    () => {
      last = scale(namespace);
      return names.every((n) => predicate(last!.ready[n] ?? 0)) && last;
    },
    { timeoutMs, intervalMs: 2000, what },
  ).catch((err) => {
    throw new Error(`${err}; last seen ${JSON.stringify(last)}`);
  });
  return { seconds: (Date.now() - started) / 1000, scale: result };
}

/**
 * The autoscaling round trip every HPA test makes: from every deployment of `names` at 1, steady
 * seed traffic at `perSecond` until each is at MAX_REPLICAS (every answer a 200), then no traffic
 * until each is back at 1. Returns how long each way took, and the traffic for its counts.
 */
export async function scaleUpAndDown(
  namespace: string,
  names: string[],
  baseUrl: string,
  perSecond: number,
  what: string,
): Promise<{
  up: { seconds: number; scale: Scale };
  down: { seconds: number; scale: Scale };
  traffic: Traffic;
}> {
  await waitForScale(
    namespace,
    names,
    (n) => n === 1,
    `${what} at the minimum (1) before the load`,
    180_000,
  );
  const traffic = steadyTraffic(baseUrl, Object.values(SEED_REQUESTS), perSecond, 420_000);
  let up;
  try {
    up = await waitForScale(
      namespace,
      names,
      (n) => n === MAX_REPLICAS,
      `${what} at ${MAX_REPLICAS} under load`,
      360_000,
    );
  } finally {
    await traffic.stop();
  }
  // Every answer a 200 (the map names any other status): scaling up loses nothing.
  expect(Object.fromEntries(traffic.statuses)).toEqual({ 200: count(traffic, () => true) });
  const down = await waitForScale(
    namespace,
    names,
    (n) => n === 1,
    `${what} back at 1 after the load`,
    420_000,
  );
  return { up, down, traffic };
}
