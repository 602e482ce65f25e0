// Invariants every render of the chart must keep, whatever the values. Each check returns
// human-readable problems (empty = fine), so one failing render lists everything wrong with it.
import type { K8sObject } from './helm.ts';
import { renderedRouteFile } from './route-file.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form JSON */
type Obj = K8sObject & Record<string, any>;

export const UID = 10001;
const WORKLOAD_KINDS = new Set(['Deployment', 'Pod']);

export function byKind(objects: K8sObject[], kind: string): Obj[] {
  return objects.filter((object) => object.kind === kind) as Obj[];
}

function podSpec(object: Obj): any {
  return object.kind === 'Pod' ? object.spec : object.spec.template.spec;
}

function podLabels(object: Obj): Record<string, string> {
  return (
    (object.kind === 'Pod' ? object.metadata.labels : object.spec.template.metadata.labels) ?? {}
  );
}

function containers(object: Obj): any[] {
  const spec = podSpec(object);
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** Does a matchLabels selector select these labels? (The chart never uses matchExpressions.) */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function workloads(objects: K8sObject[]): Obj[] {
  return objects.filter((object) => WORKLOAD_KINDS.has(object.kind)) as Obj[];
}

/** Workloads whose pods a selector picks. */
function selected(objects: K8sObject[], selector: Record<string, string> | undefined): Obj[] {
  return workloads(objects).filter((workload) => selects(selector, podLabels(workload)));
}

function declaredPorts(workload: Obj): Array<{ name?: string; containerPort: number }> {
  return containers(workload).flatMap((container) => container.ports ?? []);
}

function portDeclared(workload: Obj, port: string | number): boolean {
  return declaredPorts(workload).some((p) =>
    typeof port === 'number' ? p.containerPort === port : p.name === port,
  );
}

const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;
const IPV6 = /(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}(?![\w:])|(?<![\w:])::1?(?![\w:])/gi;

/** No IP literal in any rendered object; only the bind-all HOST=0.0.0.0 (an address of nothing). */
export function noIpLiterals(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const text = JSON.stringify(object, (key, value) =>
      key === 'HOST' && value === '0.0.0.0' ? undefined : value,
    );
    for (const match of [...(text.match(IPV4) ?? []), ...(text.match(IPV6) ?? [])]) {
      problems.push(`${object.kind}/${object.metadata.name} contains the IP literal ${match}`);
    }
  }
  return problems;
}

/** Names valid for their kind (Services are DNS-1035 labels) and unique per kind. */
export function validNames(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const name = object.metadata.name;
    const key = `${object.kind}/${name}`;
    if (seen.has(key)) problems.push(`duplicate ${key}`);
    seen.add(key);
    const label =
      object.kind === 'Service'
        ? /^[a-z]([-a-z0-9]*[a-z0-9])?$/
        : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    if (!label.test(name) || name.length > 63)
      problems.push(`${key}: not a valid name (DNS label, <= 63 characters)`);
  }
  return problems;
}

/** Every Service selects exactly one workload, and its targetPorts are ports that workload declares. */
export function servicesMatchWorkloads(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const service of byKind(objects, 'Service')) {
    const targets = selected(objects, service.spec.selector).filter((w) => w.kind === 'Deployment');
    if (targets.length !== 1) {
      problems.push(
        `Service/${service.metadata.name} selects ${targets.length} Deployments (want exactly 1)`,
      );
      continue;
    }
    for (const port of service.spec.ports) {
      if (!portDeclared(targets[0], port.targetPort)) {
        problems.push(
          `Service/${service.metadata.name} targetPort ${port.targetPort} is not a port of Deployment/${targets[0].metadata.name}`,
        );
      }
    }
  }
  return problems;
}

/** Probes name ports their container declares. */
export function probesNameDeclaredPorts(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    for (const container of containers(workload)) {
      for (const probeName of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const probe = container[probeName];
        if (!probe) continue;
        const port = probe.httpGet?.port ?? probe.grpc?.port ?? probe.tcpSocket?.port;
        if (port === undefined) continue; // exec probe
        if (
          !(container.ports ?? []).some((p: any) =>
            typeof port === 'number' ? p.containerPort === port : p.name === port,
          )
        ) {
          problems.push(
            `${workload.kind}/${workload.metadata.name} ${container.name}.${probeName} uses port ${port}, not declared by the container`,
          );
        }
      }
    }
  }
  return problems;
}

/** The app Deployments of the chart (everything but Redis), by component label. */
export function appDeployments(objects: K8sObject[]): Map<string, Obj> {
  const apps = new Map<string, Obj>();
  for (const deployment of byKind(objects, 'Deployment')) {
    const component = deployment.metadata.labels?.['app.kubernetes.io/component'];
    if (component && component !== 'redis') apps.set(component, deployment);
  }
  return apps;
}

/** ServiceMonitor endpoints name a port of the Services it selects; those Services exist. */
export function serviceMonitorPorts(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const monitor of byKind(objects, 'ServiceMonitor')) {
    const services = byKind(objects, 'Service').filter((svc) =>
      selects(monitor.spec.selector.matchLabels, svc.metadata.labels ?? {}),
    );
    const apps = appDeployments(objects);
    const covered = new Set(
      services.map((svc) => svc.spec.selector['app.kubernetes.io/component']),
    );
    for (const app of apps.keys())
      if (!covered.has(app))
        problems.push(`ServiceMonitor/${monitor.metadata.name} does not scrape ${app}`);
    for (const endpoint of monitor.spec.endpoints) {
      for (const svc of services) {
        if (!svc.spec.ports.some((p: any) => p.name === endpoint.port)) {
          problems.push(
            `ServiceMonitor/${monitor.metadata.name} port ${endpoint.port} is not a port of Service/${svc.metadata.name}`,
          );
        }
      }
    }
  }
  return problems;
}

/** Env of a Deployment's first container: its ConfigMap data (envFrom) with env values on top. */
export function containerEnv(objects: K8sObject[], deployment: Obj): Record<string, string> {
  const container = podSpec(deployment).containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = byKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === source.configMapRef?.name,
    );
    Object.assign(env, configMap?.data ?? {});
  }
  for (const variable of container.env ?? [])
    env[variable.name] = variable.value ?? `<from ${Object.keys(variable.valueFrom ?? {})[0]}>`;
  return env;
}

/** A host name of a Service of this render: <svc>.<namespace>.svc.<domain>; returns the Service. */
function serviceOfHost(
  objects: K8sObject[],
  host: string,
  namespace: string,
  clusterDomain: string,
): Obj | undefined {
  const suffix = `.${namespace}.svc.${clusterDomain}`;
  if (!host.endsWith(suffix)) return undefined;
  return byKind(objects, 'Service').find(
    (svc) => svc.metadata.name === host.slice(0, -suffix.length),
  );
}

/**
 * The gateway's own upstreams (the route file's webapp-1 `urls` and rpc-app-1 `target`) and its
 * REDIS_URL name Services of the render (headless for upstreams), on a port they serve.
 */
export function gatewayUpstreamsNameServices(
  objects: K8sObject[],
  options: { namespace: string; clusterDomain: string; redis: 'builtin' | 'external' | 'none' },
): string[] {
  const problems: string[] = [];
  const gateway = appDeployments(objects).get('gateway');
  if (!gateway) return ['no gateway Deployment'];
  const env = containerEnv(objects, gateway);
  const upstreams = renderedRouteFile(objects).upstreams;
  const check = (
    what: string,
    host: string,
    port: number,
    component: string,
    headless: boolean,
  ) => {
    const svc = serviceOfHost(objects, host, options.namespace, options.clusterDomain);
    if (!svc) return problems.push(`${what}: ${host} is no Service of this release`);
    if (headless && svc.spec.clusterIP !== 'None')
      problems.push(`${what}: Service/${svc.metadata.name} is not headless`);
    if (svc.spec.selector['app.kubernetes.io/component'] !== component)
      problems.push(`${what}: Service/${svc.metadata.name} does not select ${component}`);
    if (!svc.spec.ports.some((p: any) => p.port === port))
      problems.push(`${what}: Service/${svc.metadata.name} has no port ${port}`);
    return 0;
  };
  const urls: string[] = upstreams['webapp-1']?.urls ?? [];
  if (urls.length === 0) problems.push('the route file gives webapp-1 no urls');
  for (const url of urls) {
    const { hostname, port } = new URL(url);
    check(`webapp-1 url ${url}`, hostname, Number(port), 'webapp-1', true);
  }
  const target = upstreams['rpc-app-1']?.target;
  const rpc = /^dns:\/\/\/([^:]+):(\d+)$/.exec(target ?? '');
  if (!rpc) problems.push(`rpc-app-1 target ${target} is not dns:///<host>:<port>`);
  else check(`rpc-app-1 target ${target}`, rpc[1], Number(rpc[2]), 'rpc-app-1', true);
  if (options.redis === 'builtin') {
    const redis = env.REDIS_URL ? new URL(env.REDIS_URL) : undefined;
    if (!redis) problems.push('REDIS_URL is not set with redis.mode=builtin');
    else check('REDIS_URL', redis.hostname, Number(redis.port), 'redis', false);
  } else if (options.redis === 'none' && env.REDIS_URL) {
    problems.push(`REDIS_URL=${env.REDIS_URL} set with redis.mode=none`);
  }
  return problems;
}

/** HPA, ScaledObject and PDB target existing workloads; a scaled Deployment leaves replicas to its scaler. */
export function scalersTargetWorkloads(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = byKind(objects, 'Deployment');
  const scaled = new Map<string, string>();
  for (const scaler of [
    ...byKind(objects, 'HorizontalPodAutoscaler'),
    ...byKind(objects, 'ScaledObject'),
  ]) {
    const ref = scaler.spec.scaleTargetRef;
    const target = deployments.find(
      (d) => d.metadata.name === ref.name && (ref.kind ?? 'Deployment') === 'Deployment',
    );
    const label = `${scaler.kind}/${scaler.metadata.name}`;
    if (!target) problems.push(`${label} targets ${ref.kind}/${ref.name}, which is not rendered`);
    else if (target.spec.replicas !== undefined)
      problems.push(
        `${label}: Deployment/${ref.name} still sets replicas (helm upgrade would fight the scaler)`,
      );
    if (scaled.has(ref.name))
      problems.push(`${label} and ${scaled.get(ref.name)} both scale ${ref.name}`);
    scaled.set(ref.name, label);
  }
  for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
    const targets = selected(objects, pdb.spec.selector.matchLabels).filter(
      (w) => w.kind === 'Deployment',
    );
    if (targets.length !== 1)
      problems.push(
        `PodDisruptionBudget/${pdb.metadata.name} selects ${targets.length} Deployments (want 1)`,
      );
  }
  return problems;
}

/** Every pod and container carries the hardening of the chart's one security helper. */
export function securityEverywhere(
  objects: K8sObject[],
  options: { readOnlyRootFilesystem: boolean },
): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    const where = `${workload.kind}/${workload.metadata.name}`;
    const spec = podSpec(workload);
    const pod = spec.securityContext ?? {};
    if (spec.automountServiceAccountToken !== false)
      problems.push(`${where}: service account token mounted`);
    if (
      pod.runAsNonRoot !== true ||
      pod.runAsUser !== UID ||
      pod.runAsGroup !== UID ||
      pod.fsGroup !== UID
    ) {
      problems.push(`${where}: pod securityContext is not non-root ${UID}:${UID}`);
    }
    if (pod.seccompProfile?.type !== 'RuntimeDefault')
      problems.push(`${where}: pod seccomp is not RuntimeDefault`);
    const tmp = (spec.volumes ?? []).find((v: any) => v.name === 'tmp' && v.emptyDir);
    for (const container of containers(workload)) {
      const sc = container.securityContext ?? {};
      const at = `${where} container ${container.name}`;
      if (sc.runAsNonRoot !== true || sc.runAsUser !== UID || sc.runAsGroup !== UID)
        problems.push(`${at}: not non-root ${UID}`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${at}: privilege escalation allowed`);
      if (sc.privileged !== false) problems.push(`${at}: privileged not false`);
      if (sc.readOnlyRootFilesystem !== options.readOnlyRootFilesystem)
        problems.push(`${at}: readOnlyRootFilesystem is ${sc.readOnlyRootFilesystem}`);
      if (JSON.stringify(sc.capabilities) !== JSON.stringify({ drop: ['ALL'] }))
        problems.push(`${at}: capabilities are not drop [ALL]`);
      if (sc.seccompProfile?.type !== 'RuntimeDefault')
        problems.push(`${at}: seccomp is not RuntimeDefault`);
      if (
        !tmp ||
        !(container.volumeMounts ?? []).some((m: any) => m.name === 'tmp' && m.mountPath === '/tmp')
      ) {
        problems.push(`${at}: no emptyDir at /tmp`);
      }
    }
  }
  return problems;
}

/** Every pod (apps, Redis, the helm test pod) pulls with exactly the configured imagePullSecrets. */
export function pullSecretsEverywhere(objects: K8sObject[], expected: string[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    const names = (podSpec(workload).imagePullSecrets ?? []).map((s: any) => s.name);
    if (JSON.stringify(names) !== JSON.stringify(expected))
      problems.push(
        `${workload.kind}/${workload.metadata.name}: imagePullSecrets ${JSON.stringify(names)}, want ${JSON.stringify(expected)}`,
      );
  }
  return problems;
}

/**
 * Every Secret a pod reads (secretKeyRef, envFrom, volumes) is rendered by this release with the
 * key asked for, or is one of the `existing` Secrets the values name.
 */
export function secretRefsResolve(objects: K8sObject[], existing: string[]): string[] {
  const problems: string[] = [];
  const rendered = new Map(
    byKind(objects, 'Secret').map((s) => [
      s.metadata.name,
      new Set(Object.keys({ ...s.data, ...s.stringData })),
    ]),
  );
  for (const workload of workloads(objects)) {
    const refs: Array<{ name: string; key?: string }> = [
      ...containers(workload).flatMap((c) => [
        ...(c.env ?? []).flatMap((e: any) =>
          e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
        ),
        ...(c.envFrom ?? []).flatMap((e: any) => (e.secretRef ? [e.secretRef] : [])),
      ]),
      ...(podSpec(workload).volumes ?? []).flatMap((v: any) => [
        ...(v.secret ? [{ name: v.secret.secretName }] : []),
        ...(v.projected?.sources ?? []).flatMap((source: any) =>
          source.secret ? [{ name: source.secret.name }] : [],
        ),
      ]),
    ];
    for (const ref of refs) {
      const keys = rendered.get(ref.name);
      const where = `${workload.kind}/${workload.metadata.name}`;
      if (!keys && !existing.includes(ref.name))
        problems.push(
          `${where} reads Secret ${ref.name}, which is neither rendered nor named in the values`,
        );
      else if (keys && ref.key && !keys.has(ref.key))
        problems.push(
          `${where} reads key ${ref.key} of Secret ${ref.name}, which it does not have`,
        );
    }
  }
  return problems;
}

/**
 * NetworkPolicies select exactly one workload (a Deployment, or the helm test Pod); their peers
 * select the gateway; their ports exist there.
 */
export function networkPoliciesSelect(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const gateway = appDeployments(objects).get('gateway');
  for (const policy of byKind(objects, 'NetworkPolicy')) {
    const where = `NetworkPolicy/${policy.metadata.name}`;
    const targets = selected(objects, policy.spec.podSelector.matchLabels);
    if (targets.length !== 1) {
      problems.push(`${where} selects ${targets.length} workloads (want 1)`);
      continue;
    }
    const target = targets[0];
    if (policy.metadata.name !== target.metadata.name)
      problems.push(`${where} selects ${target.kind}/${target.metadata.name}, not its namesake`);
    for (const rule of policy.spec.ingress ?? []) {
      for (const port of rule.ports ?? []) {
        // A range (endPort): ports the app opens at run time, which the pod does not declare
        // (gatewayApi.gatewayServices.internalPorts; a Service's targetPort need not be declared).
        if (port.endPort !== undefined) continue;
        if (!portDeclared(target, port.port))
          problems.push(
            `${where}: ingress port ${port.port} is not a port of ${target.metadata.name}`,
          );
      }
      for (const peer of rule.from ?? []) {
        if (!peer.podSelector || peer.namespaceSelector) continue;
        const peers = selected(objects, peer.podSelector.matchLabels);
        const isTestPod = peer.podSelector.matchLabels['app.kubernetes.io/component'] === 'test';
        if (!isTestPod && (peers.length !== 1 || peers[0] !== gateway)) {
          problems.push(
            `${where}: ingress peer ${JSON.stringify(peer.podSelector.matchLabels)} does not select exactly the gateway`,
          );
        }
      }
    }
    for (const rule of policy.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        if (!peer.podSelector || peer.namespaceSelector) continue;
        const peers = selected(objects, peer.podSelector.matchLabels);
        if (peers.length !== 1)
          problems.push(
            `${where}: egress peer ${JSON.stringify(peer.podSelector.matchLabels)} selects ${peers.length} workloads`,
          );
        for (const port of rule.ports ?? []) {
          if (peers[0] && !portDeclared(peers[0], port.port))
            problems.push(
              `${where}: egress port ${port.port} is not served by ${peers[0].metadata.name}`,
            );
        }
      }
    }
  }
  return problems;
}

/** The grace period covers preStop + SHUTDOWN_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS of the app's own env. */
export function gracePeriodCoversDrain(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const [app, deployment] of appDeployments(objects)) {
    const env = containerEnv(objects, deployment);
    const spec = deployment.spec.template.spec;
    const preStop = spec.containers[0].lifecycle?.preStop;
    const drainWaitMs = /[?&]wait_ms=(\d+)/.exec(preStop?.httpGet?.path ?? '')?.[1];
    const preStopSeconds =
      preStop?.sleep?.seconds ??
      (drainWaitMs ? Number(drainWaitMs) / 1000 : Number(preStop?.exec?.command?.[1] ?? 0));
    const needed =
      preStopSeconds +
      (Number(env.SHUTDOWN_DRAIN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)) / 1000;
    if (!(spec.terminationGracePeriodSeconds > needed)) {
      problems.push(
        `${app}: terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} <= preStop ${preStopSeconds} s + drain + timeout = ${needed} s`,
      );
    }
    if (deployment.spec.strategy?.rollingUpdate?.maxUnavailable !== 0)
      problems.push(`${app}: rolling update maxUnavailable is not 0`);
  }
  return problems;
}

/** Images are pinned: a tag that is not `latest`, or a digest. */
export function imagesPinned(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    for (const container of containers(workload)) {
      const image: string = container.image;
      const lastSegment = image.split('@')[0].split('/').pop() ?? '';
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
      if (!image.includes('@sha256:') && (!tag || tag === 'latest'))
        problems.push(`${workload.metadata.name}/${container.name}: image ${image} is not pinned`);
    }
  }
  return problems;
}

/** A Kubernetes quantity (`64Mi`, `1G`, `500k`, `1024`) in bytes. */
export function bytes(quantity: string | number): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(quantity));
  const units: Record<string, number> = {
    '': 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  if (!match || !(match[2] in units)) throw new Error(`not a byte quantity: ${quantity}`);
  return Number(match[1]) * units[match[2]];
}

/** What the kubelet keeps of one container's logs by default (5 files of 10Mi), counted as its ephemeral storage. */
export const LOG_BYTES = 5 * 10 * 2 ** 20;

/**
 * Every container requests and limits ephemeral-storage (request <= limit), and each pod's limits
 * cover its emptyDir size limits plus every container's logs: below that, a pod using no more than
 * its volumes allow would still be evicted.
 */
export function ephemeralStorageCovered(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    const where = `${workload.kind}/${workload.metadata.name}`;
    let limits = 0;
    let unlimited = false;
    for (const container of containers(workload)) {
      const request = container.resources?.requests?.['ephemeral-storage'];
      const limit = container.resources?.limits?.['ephemeral-storage'];
      if (request === undefined || limit === undefined) {
        problems.push(
          `${where} container ${container.name}: no ephemeral-storage request and limit`,
        );
        unlimited = true;
        continue;
      }
      if (bytes(request) > bytes(limit))
        problems.push(
          `${where} container ${container.name}: ephemeral-storage request ${request} > limit ${limit}`,
        );
      limits += bytes(limit);
    }
    const volumes = (podSpec(workload).volumes ?? []).filter((v: any) => v.emptyDir);
    const unbounded = volumes.filter((v: any) => v.emptyDir.sizeLimit === undefined);
    for (const volume of unbounded)
      problems.push(`${where}: emptyDir ${volume.name} has no sizeLimit`);
    const needed =
      volumes.reduce(
        (sum: number, v: any) => sum + (v.emptyDir.sizeLimit ? bytes(v.emptyDir.sizeLimit) : 0),
        0,
      ) +
      containers(workload).length * LOG_BYTES;
    if (!unlimited && limits < needed)
      problems.push(
        `${where}: ephemeral-storage limits ${limits / 2 ** 20}Mi < emptyDir sizeLimits + logs ${needed / 2 ** 20}Mi`,
      );
  }
  return problems;
}
