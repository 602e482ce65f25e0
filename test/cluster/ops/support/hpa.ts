// What the HPAs of a release decide, and the autoscaling values the HPA tests share: one replica at
// rest, at most three, and stabilisation windows of seconds instead of minutes.
import { kubectlJson, until } from './cluster.ts';

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
export async function waitForScale(
  namespace: string,
  names: string[],
  predicate: (ready: number) => boolean,
  what: string,
  timeoutMs: number,
): Promise<{ seconds: number; scale: Scale }> {
  const started = Date.now();
  let last: Scale | undefined;
  const result = await until(
    what,
    () => {
      last = scale(namespace);
      return names.every((n) => predicate(last!.ready[n] ?? 0)) ? last : undefined;
    },
    timeoutMs,
    2000,
  ).catch((err) => {
    throw new Error(`${err}; last seen ${JSON.stringify(last)}`);
  });
  return { seconds: (Date.now() - started) / 1000, scale: result };
}
