// The Gateway API conformance suite's echo server (echo-basic, the image local-cluster/lib/images.sh
// builds) as a plain Deployment + ClusterIP Service in a namespace of the tests' own: over HTTP it
// answers every request with what it received as JSON; with GRPC_ECHO_SERVER set it serves the
// gRPC service GrpcEcho of its grpcecho.proto (test/cluster/fixtures/grpcecho-http.proto is a copy
// with HTTP rules) on the same port instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodePortAccepting } from './access.ts';
import { REPO, apply, kubectl, kubectlJson, kubectlResult } from './cluster.ts';
import { isReady, type Pod } from './pods.ts';
import { freshNamespace } from './release.ts';

const VERSIONS = readFileSync(join(REPO, 'local-cluster/versions.sh'), 'utf8');
/** ECHO_BASIC_VERSION of local-cluster/versions.sh, where the image's version is pinned. */
export const ECHO_BASIC_VERSION = pinned(/^ECHO_BASIC_VERSION="([^"]+)"/m);
/** The image under the project's own name. */
export const ECHO_BASIC_IMAGE = `gateway-stack/echo-basic:${ECHO_BASIC_VERSION}`;
/** The same image under the names the suite's manifests give it (ECHO_BASIC_UPSTREAM_TAGS). */
export const ECHO_BASIC_UPSTREAM_IMAGES = pinned(/^ECHO_BASIC_UPSTREAM_TAGS=\(([^)]*)\)/m)
  .split(/\s+/)
  .map((tag) => `registry.k8s.io/gateway-api/echo-basic:${tag}`);
/** The port echo-basic listens on (its HTTP_PORT default), for HTTP or, as the gRPC variant, gRPC. */
export const ECHO_PORT = 3000;
/** The copy of grpcecho.proto with google.api.http rules. */
export const GRPCECHO_PROTO = join(REPO, 'test/cluster/fixtures/grpcecho-http.proto');

export interface EchoOptions {
  /** Deployment and Service name (default echo-basic, or echo-grpc for the gRPC variant). */
  name?: string;
  /** Serve GrpcEcho over gRPC (h2c) instead of HTTP. */
  grpc?: boolean;
  /** Default ECHO_BASIC_IMAGE; the suite's registry.k8s.io/gateway-api/echo-basic:<tag> names work too. */
  image?: string;
  replicas?: number;
  /** Run the pods on this node only (its kubernetes.io/hostname label, the node's name here). */
  nodeName?: string;
}

export interface EchoServer {
  namespace: string;
  name: string;
  grpc: boolean;
  /** The Service for clients in the cluster, e.g. echo-basic.gs-x.svc.cluster.local:3000. */
  service: string;
  /** `podIP:port` of each Ready pod: what the host reaches, on the cluster's bridge. */
  podAddresses: string[];
  /** `clusterIP:port` of the Service, which the host reaches too (local-cluster/lib/network.sh). */
  clusterAddress: string;
}

/**
 * Deploys the echo server into `namespace` (created if missing) and waits until its pods are Ready
 * (HTTP GET /health for HTTP, a TCP connect for gRPC: echo-basic serves no gRPC health service) and
 * each accepts a connection from the host.
 */
export async function deployEcho(
  namespace: string,
  options: EchoOptions = {},
): Promise<EchoServer> {
  const grpc = options.grpc ?? false;
  const name = options.name ?? (grpc ? 'echo-grpc' : 'echo-basic');
  if (kubectlResult(['get', 'namespace', namespace], { timeoutMs: 10_000 }).status !== 0)
    freshNamespace(namespace);
  const labels = { app: name };
  const fromField = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  apply(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: options.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...(options.nodeName && {
              nodeSelector: { 'kubernetes.io/hostname': options.nodeName },
            }),
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'echo',
                // No imagePullPolicy: the default for a tag that is not :latest, IfNotPresent, is
                // what the suite's manifests get; the image is in the node's store, never pulled.
                image: options.image ?? ECHO_BASIC_IMAGE,
                env: [
                  { name: 'POD_NAME', ...fromField('metadata.name') },
                  { name: 'NAMESPACE', ...fromField('metadata.namespace') },
                  { name: 'SERVICE_NAME', value: name },
                  ...(grpc ? [{ name: 'GRPC_ECHO_SERVER', value: '1' }] : []),
                ],
                ports: [{ name: grpc ? 'grpc' : 'http', containerPort: ECHO_PORT }],
                readinessProbe: grpc
                  ? { tcpSocket: { port: ECHO_PORT }, periodSeconds: 2 }
                  : { httpGet: { path: '/health', port: ECHO_PORT }, periodSeconds: 2 },
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: {
        selector: labels,
        ports: [
          {
            name: grpc ? 'grpc' : 'http',
            port: ECHO_PORT,
            targetPort: ECHO_PORT,
            ...(grpc && { appProtocol: 'kubernetes.io/h2c' }),
          },
        ],
      },
    },
  );
  kubectl(['rollout', 'status', `deployment/${name}`, '-n', namespace, '--timeout=180s'], {
    timeoutMs: 200_000,
  });
  const podAddresses = kubectlJson<{ items: Pod[] }>([
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `app=${name}`,
  ])
    .items.filter((pod) => isReady(pod) && !pod.metadata.deletionTimestamp)
    .map((pod) => `${pod.status.podIP}:${ECHO_PORT}`);
  for (const address of podAddresses) await nodePortAccepting(`http://${address}`);
  const clusterIp = kubectl([
    'get',
    'service',
    name,
    '-n',
    namespace,
    '-o',
    'jsonpath={.spec.clusterIP}',
  ]);
  return {
    namespace,
    name,
    grpc,
    service: `${name}.${namespace}.svc.cluster.local:${ECHO_PORT}`,
    podAddresses,
    clusterAddress: `${clusterIp}:${ECHO_PORT}`,
  };
}

/** Removes the echo server's Deployment and Service (the namespace stays). */
export function removeEcho(echo: Pick<EchoServer, 'namespace' | 'name'>): void {
  kubectl([
    'delete',
    'deployment,service',
    echo.name,
    '-n',
    echo.namespace,
    '--ignore-not-found',
    '--wait',
    '--timeout=120s',
  ]);
}

function pinned(pattern: RegExp): string {
  const value = pattern.exec(VERSIONS)?.[1]?.trim();
  if (!value) throw new Error(`local-cluster/versions.sh has no ${pattern.source}`);
  return value;
}
