// The metrics behind the HPAs, real and on the node: a Prometheus (Debian's) that scrapes the pods
// as the chart's prometheus.io/* annotations say, prometheus-adapter serving the chart README's rules as the custom metrics API, and metrics-server
// serving the resource metrics API. Both adapters are host processes on the node's address, behind
// APIServices whose Service has a manual Endpoints there (the API server routes to endpoints).
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/eventually.ts';
import { PrometheusServer, freePort } from '../../support/prometheus.ts';
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are free-form JSON */
import {
  CHART,
  CLUSTER_BIN,
  CLUSTER_DIR,
  KUBECONFIG,
  apply,
  kubectl,
  kubectlJson,
} from './cluster.ts';
import { clusterNode } from './endpoints.ts';
import { HostProcess } from './host-process.ts';

/** Where the APIServices' Services live (cluster-scoped APIServices need a namespaced Service). */
export const APIS_NAMESPACE = 'gs-metrics-apis';

/**
 * What Kubernetes service discovery would hand Prometheus for the pods of `namespaces`, kept
 * current in a file_sd file: Debian's Prometheus is built without the Kubernetes discovery. The
 * targets carry the same __meta_kubernetes_* labels, so the usual relabelling below still reads the
 * chart's prometheus.io/* annotations.
 */
class PodDiscovery {
  private timer?: NodeJS.Timeout;
  private readonly file: string;
  private readonly namespaces: string[];

  constructor(file: string, namespaces: string[]) {
    this.file = file;
    this.namespaces = namespaces;
  }

  refresh(): void {
    const groups = this.namespaces.flatMap((namespace) =>
      kubectlJson(['get', 'pods', '-n', namespace])
        .items.filter((p: any) => p.status.podIP)
        .map((p: any) => ({
          targets: [p.status.podIP],
          labels: {
            __meta_kubernetes_namespace: namespace,
            __meta_kubernetes_pod_name: p.metadata.name,
            __meta_kubernetes_pod_phase: p.status.phase,
            ...Object.fromEntries(
              Object.entries(p.metadata.annotations ?? {}).map(([k, v]) => [
                `__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`,
                String(v),
              ]),
            ),
          },
        })),
    );
    writeFileSync(`${this.file}.tmp`, JSON.stringify(groups));
    renameSync(`${this.file}.tmp`, this.file);
  }

  start(): void {
    this.refresh();
    this.timer = setInterval(() => {
      try {
        this.refresh();
      } catch {
        // the next round tries again
      }
    }, 2000);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface ClusterPrometheus {
  server: PrometheusServer;
  stop(): Promise<void>;
}

/** Prometheus scraping the pods of `namespaces` the way the chart's annotations ask. */
export async function startPrometheus(namespaces: string[]): Promise<ClusterPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'gs-pod-sd-'));
  const discovery = new PodDiscovery(join(dir, 'pods.json'), namespaces);
  discovery.start();
  const server = await PrometheusServer.startWith('127.0.0.1', [
    {
      job_name: 'kubernetes-pods',
      file_sd_configs: [{ files: [join(dir, 'pods.json')], refresh_interval: '2s' }],
      relabel_configs: [
        {
          source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
          action: 'keep',
          regex: 'true',
        },
        { source_labels: ['__meta_kubernetes_pod_phase'], action: 'keep', regex: 'Running' },
        {
          source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
          action: 'replace',
          target_label: '__metrics_path__',
          regex: '(.+)',
        },
        {
          source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
          action: 'replace',
          regex: '([^:]+)(?::\\d+)?;(\\d+)',
          replacement: '$1:$2',
          target_label: '__address__',
        },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      ],
    },
  ]).catch((err) => {
    discovery.stop();
    throw err;
  });
  return {
    server,
    async stop() {
      discovery.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The prometheus-adapter rules the chart's README documents (the HPA's metrics come from them). */
export function readmeAdapterRules(): string {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  const block = /The two adapter rules:\s*```yaml\n([\s\S]*?)```/.exec(readme);
  if (!block)
    throw new Error('charts/gateway-stack/README.md has no "The two adapter rules" yaml block');
  return block[1];
}

export interface AggregatedApi {
  stop(): Promise<void>;
}

export async function serveAggregated(
  name: string,
  group: string,
  version: string,
  start: (port: number, certDir: string) => HostProcess,
): Promise<AggregatedApi> {
  const nodeIp = clusterNode().ip;
  const port = await freePort(nodeIp);
  const certDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const process = start(port, certDir);
  const apiService = `${version}.${group}`;
  apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APIS_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: APIS_NAMESPACE },
      spec: { ports: [{ port: 443, targetPort: port }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: APIS_NAMESPACE },
      subsets: [{ addresses: [{ ip: nodeIp }], ports: [{ port }] }],
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: apiService },
      spec: {
        group,
        version,
        service: { name, namespace: APIS_NAMESPACE, port: 443 },
        // The adapters serve self-signed certificates made at start.
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  );
  await eventually(
    () => {
      const conditions = kubectlJson(['get', 'apiservice', apiService]).status?.conditions ?? [];
      return conditions.some(
        (c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True',
      );
    },
    {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: `APIService ${apiService} Available (log: ${process.log})`,
    },
  );
  return {
    async stop() {
      // First the APIService: an unavailable one breaks API discovery for every client.
      kubectl(['delete', 'apiservice', apiService, '--ignore-not-found']);
      kubectl(['delete', 'service,endpoints', name, '-n', APIS_NAMESPACE, '--ignore-not-found']);
      await process.stop();
    },
  };
}

/** Authentication and authorization of API-server-style flags shared by both adapters. */
export function apiserverFlags(port: number, certDir: string): string[] {
  return [
    `--secure-port=${port}`,
    `--bind-address=${clusterNode().ip}`,
    `--cert-dir=${certDir}`,
    `--authentication-kubeconfig=${KUBECONFIG}`,
    `--authorization-kubeconfig=${KUBECONFIG}`,
  ];
}

/** prometheus-adapter with `rules`, as the custom metrics API (custom.metrics.k8s.io). */
export function startPrometheusAdapter(
  prometheusUrl: string,
  rules: string,
): Promise<AggregatedApi> {
  return serveAggregated(
    'gs-prometheus-adapter',
    'custom.metrics.k8s.io',
    'v1beta1',
    (port, certDir) => {
      writeFileSync(join(certDir, 'rules.yaml'), rules);
      return new HostProcess('prometheus-adapter', join(CLUSTER_BIN, 'prometheus-adapter'), [
        ...apiserverFlags(port, certDir),
        `--lister-kubeconfig=${KUBECONFIG}`,
        `--prometheus-url=${prometheusUrl}/`,
        `--config=${join(certDir, 'rules.yaml')}`,
        // Finds the series of newly started pods soon (the default is 10 minutes).
        '--metrics-relist-interval=10s',
        '--v=1',
      ]);
    },
  );
}

/** metrics-server, as the resource metrics API (metrics.k8s.io) the CPU HPA reads. */
export function startMetricsServer(): Promise<AggregatedApi> {
  return serveAggregated(
    'gs-metrics-server',
    'metrics.k8s.io',
    'v1beta1',
    (port, certDir) =>
      new HostProcess('metrics-server', join(CLUSTER_BIN, 'metrics-server'), [
        ...apiserverFlags(port, certDir),
        `--kubeconfig=${KUBECONFIG}`,
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-certificate-authority=${join(CLUSTER_DIR, 'pki/ca.crt')}`,
        '--metric-resolution=15s',
        '--v=1',
      ]),
  );
}
