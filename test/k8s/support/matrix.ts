// The render matrix: defaults, every example values file, and each optional feature switched on,
// each rendered for the oldest supported and the newest Kubernetes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderOptions } from './helm.ts';
import { KUBE_VERSIONS } from './k8s-schemas.ts';
import { CHART } from './tools.ts';

export interface MatrixCase {
  name: string;
  options: RenderOptions;
  /** What the invariants need to know about the values of this case. */
  expect: {
    redis: 'builtin' | 'external' | 'none';
    clusterDomain: string;
    readOnlyRootFilesystem: boolean;
    /** Existing Secrets the values name (pods may read them without the release rendering them). */
    secrets?: string[];
    /** imagePullSecrets every pod must carry (none when unset). */
    imagePullSecrets?: string[];
    kinds?: string[];
  };
}

export const EXAMPLES_DIR = join(CHART, 'examples');
export const exampleFiles = (): string[] =>
  readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

const base = {
  redis: 'builtin' as const,
  clusterDomain: 'cluster.local',
  readOnlyRootFilesystem: true,
};
const forAll = (setting: string) =>
  ['gateway', 'webapp-1', 'rpc-app-1'].map((app) => `components.${app}.${setting}`);

/** Per example file, what it switches (the invariants check against it). */
const EXAMPLE_EXPECT: Record<string, Partial<MatrixCase['expect']>> = {
  'values-production.yaml': {
    redis: 'external',
    secrets: ['gateway-redis'],
    kinds: ['HorizontalPodAutoscaler', 'Ingress', 'ServiceMonitor', 'PrometheusRule'],
  },
  'values-dev.yaml': { readOnlyRootFilesystem: false },
  'values-observability.yaml': { kinds: ['ServiceMonitor', 'PrometheusRule'] },
};

export function matrixCases(): MatrixCase[] {
  const features: MatrixCase[] = [
    { name: 'defaults', options: {}, expect: base },
    ...exampleFiles().map((file) => ({
      name: `example ${file}`,
      options: { valuesFiles: [join(EXAMPLES_DIR, file)] },
      expect: { ...base, ...EXAMPLE_EXPECT[file] },
    })),
    {
      name: 'gateway NodePort',
      options: {
        set: [
          'components.gateway.service.type=NodePort',
          'components.gateway.service.nodePort=30080',
        ],
      },
      expect: base,
    },
    {
      name: 'gateway LoadBalancer',
      options: {
        set: [
          'components.gateway.service.type=LoadBalancer',
          'components.gateway.service.externalTrafficPolicy=Local',
          'components.gateway.service.port=80',
        ],
      },
      expect: base,
    },
    {
      name: 'Ingress with TLS',
      options: {
        set: ['ingress.enabled=true', 'ingress.className=nginx'],
        setJson: ['ingress.tls=[{"secretName":"gw-tls","hosts":["gateway.example.com"]}]'],
      },
      expect: { ...base, kinds: ['Ingress'] },
    },
    {
      name: 'HPA on CPU and request rate',
      options: {
        set: [
          ...forAll('autoscaling.enabled=true'),
          'componentDefaults.autoscaling.requestRate.enabled=true',
        ],
      },
      expect: { ...base, kinds: ['HorizontalPodAutoscaler'] },
    },
    {
      name: 'KEDA',
      options: { set: forAll('keda.enabled=true') },
      expect: { ...base, kinds: ['ScaledObject'] },
    },
    {
      name: 'external Redis with Secret',
      options: {
        set: [
          'redis.mode=external',
          'redis.external.url=redis://redis.data.svc.cluster.local:6379/0',
          'redis.external.existingSecret=redis-auth',
        ],
      },
      expect: { ...base, redis: 'external', secrets: ['redis-auth'] },
    },
    {
      name: 'built-in Redis with an existing password Secret',
      options: {
        set: ['redis.builtin.existingSecret=redis-pass', 'redis.builtin.passwordKey=password'],
      },
      expect: { ...base, secrets: ['redis-pass'] },
    },
    {
      name: 'no Redis (in-memory limiter)',
      options: { set: ['redis.mode=none'] },
      expect: { ...base, redis: 'none' },
    },
    {
      name: 'tracing on',
      options: {
        set: [
          'tracing.enabled=true',
          'tracing.endpoint=http://otel-collector.monitoring:4318',
          'tracing.resourceAttributes.team=edge',
        ],
      },
      expect: base,
    },
    {
      name: 'monitoring (ServiceMonitor, PrometheusRule, dashboard)',
      options: {
        set: [
          'metrics.serviceMonitor.enabled=true',
          'metrics.prometheusRule.enabled=true',
          'metrics.dashboard.enabled=true',
        ],
      },
      expect: { ...base, kinds: ['ServiceMonitor', 'PrometheusRule'] },
    },
    {
      name: 'native gRPC readiness probe',
      options: { set: ['components.rpc-app-1.probes.readinessType=grpc'] },
      expect: base,
    },
    {
      name: 'preStop sleep',
      options: { set: ['componentDefaults.shutdown.preStop=sleep'] },
      expect: base,
    },
    {
      name: 'preStop exec',
      options: { set: ['componentDefaults.shutdown.preStop=exec'] },
      expect: base,
    },
    {
      name: 'preStop none, explicit grace period',
      options: {
        set: [
          'componentDefaults.shutdown.preStop=none',
          'componentDefaults.shutdown.terminationGracePeriodSeconds=60',
        ],
      },
      expect: base,
    },
    {
      name: 'image by digest from a registry',
      options: {
        set: [
          'image.registry=registry.example.com:5000/team',
          `components.gateway.image.digest=sha256:${'a'.repeat(64)}`,
        ],
      },
      expect: base,
    },
    {
      name: 'image pull secrets on every pod',
      options: { setJson: ['imagePullSecrets=["regcred","mirror-auth"]'] },
      expect: { ...base, imagePullSecrets: ['regcred', 'mirror-auth'] },
    },
    {
      name: 'helm test over TLS with the API key and a JWT, gateway restricted',
      options: {
        set: [
          'edge.tls.existingSecret=gw-tls',
          'edge.auth.default=api-key',
          'edge.auth.apiKeys.existingSecret=gw-keys',
          'edge.auth.jwt.jwksUrl=https://id.example/jwks',
          'edge.auth.jwt.issuer=https://id.example',
          'edge.auth.jwt.audience=gateway',
          'tests.auth.jwtSecret=smoke-jwt',
        ],
        setJson: [
          'edge.auth.routes={"/verify":"jwt:users.verify"}',
          'networkPolicy.gatewayFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}}]',
        ],
      },
      expect: { ...base, secrets: ['gw-tls', 'gw-keys', 'smoke-jwt'] },
    },
    {
      name: 'NetworkPolicies off',
      options: { set: ['networkPolicy.enabled=false'] },
      expect: base,
    },
    {
      name: 'gateway restricted to the ingress controller',
      options: {
        setJson: [
          'networkPolicy.gatewayFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}}]',
        ],
      },
      expect: base,
    },
    {
      name: 'long release name, other cluster domain',
      options: { release: `r${'x'.repeat(52)}`, set: ['clusterDomain=k8s.internal'] },
      expect: { ...base, clusterDomain: 'k8s.internal' },
    },
    {
      name: 'everything on',
      options: {
        set: [
          ...forAll('autoscaling.enabled=true'),
          'ingress.enabled=true',
          'tracing.enabled=true',
          'tracing.endpoint=http://otel-collector.monitoring:4318',
          'metrics.serviceMonitor.enabled=true',
          'metrics.prometheusRule.enabled=true',
          'metrics.dashboard.enabled=true',
          'components.rpc-app-1.probes.readinessType=grpc',
          'components.gateway.service.type=LoadBalancer',
        ],
      },
      expect: {
        ...base,
        kinds: ['HorizontalPodAutoscaler', 'Ingress', 'ServiceMonitor', 'PrometheusRule'],
      },
    },
  ];
  return KUBE_VERSIONS.flatMap((kubeVersion) =>
    features.map((feature) => ({
      ...feature,
      name: `${feature.name} @ ${kubeVersion}`,
      options: { ...feature.options, kubeVersion },
    })),
  );
}
