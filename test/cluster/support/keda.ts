// KEDA (built by local-cluster/lib/addons.sh with CLUSTER_KEDA=1) on the node: its CRDs from the
// module's own source, the operator watching one namespace, and its metrics adapter serving the
// external metrics API the HPAs it creates read. Operator and adapter talk gRPC over TLS with a
// certificate made here (what KEDA's cert rotation would put in its Secret in a cluster install).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/prometheus.ts';
import { CLUSTER_BIN, CLUSTER_DIR, KUBECONFIG, REPO, kubectl } from './cluster.ts';
import { clusterNode } from './endpoints.ts';
import { HostProcess } from './host-process.ts';
import { type AggregatedApi, apiserverFlags, serveAggregated } from './metrics-apis.ts';

function kedaVersion(): string {
  const versions = readFileSync(join(REPO, 'local-cluster/versions.sh'), 'utf8');
  return /^KEDA_VERSION="([^"]+)"/m.exec(versions)![1];
}

/** Whether the KEDA binaries were built (CLUSTER_KEDA=1 npm run cluster -- up). */
export const kedaBuilt = () =>
  existsSync(join(CLUSTER_BIN, 'keda')) && existsSync(join(CLUSTER_BIN, 'keda-adapter'));

/** KEDA's CRDs, cluster-scoped (*.keda.sh), from the source the binaries were built from. */
export function applyKedaCrds(): void {
  const dir = join(
    CLUSTER_DIR,
    `src/github.com+kedacore+keda+v2@${kedaVersion()}/config/crd/bases`,
  );
  kubectl(['apply', '--server-side', '-f', dir]);
}

/** A CA and a serving certificate for 127.0.0.1, the node's address and localhost. */
function certificates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gs-keda-certs-'));
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=gs-keda-ca',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'tls.key',
    '-out',
    'tls.csr',
    '-subj',
    '/CN=keda',
  );
  writeFileSync(
    join(dir, 'ext'),
    `subjectAltName=IP:127.0.0.1,IP:${clusterNode().ip},DNS:localhost\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'tls.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'tls.crt',
    '-days',
    '1',
    '-extfile',
    'ext',
  );
  return dir;
}

export interface Keda {
  stop(): Promise<void>;
}

/** The operator (watching `namespace` only) and the metrics adapter behind external.metrics.k8s.io. */
export async function startKeda(namespace: string): Promise<Keda> {
  const certs = certificates();
  const grpc = `127.0.0.1:${await freePort('127.0.0.1')}`;
  const env = {
    KUBECONFIG,
    WATCH_NAMESPACE: namespace,
    KEDA_CLUSTER_OBJECT_NAMESPACE: namespace,
    POD_NAMESPACE: namespace,
  };
  const operator = new HostProcess(
    'keda-operator',
    join(CLUSTER_BIN, 'keda'),
    [
      `--metrics-bind-address=127.0.0.1:${await freePort('127.0.0.1')}`,
      `--health-probe-bind-address=127.0.0.1:${await freePort('127.0.0.1')}`,
      `--metrics-service-bind-address=${grpc}`,
      `--cert-dir=${certs}`,
      `--ca-dir=${certs}`,
      // No cluster install to patch: the certificates are made above, the APIService below.
      '--enable-cert-rotation=false',
      '--enable-webhook-patching=false',
      '--enable-apiservice-patching=false',
    ],
    { ...env, POD_NAME: 'keda-operator' },
  );
  const adapterMetrics = await freePort('127.0.0.1');
  let adapter: AggregatedApi;
  try {
    adapter = await serveAggregated(
      'gs-keda-adapter',
      'external.metrics.k8s.io',
      'v1beta1',
      (port) =>
        new HostProcess(
          'keda-adapter',
          join(CLUSTER_BIN, 'keda-adapter'),
          [
            ...apiserverFlags(port, certs),
            `--lister-kubeconfig=${KUBECONFIG}`,
            `--tls-cert-file=${join(certs, 'tls.crt')}`,
            `--tls-private-key-file=${join(certs, 'tls.key')}`,
            `--metrics-service-address=${grpc}`,
            '--metrics-service-grpc-authority=localhost',
            `--port=${adapterMetrics}`,
          ],
          { ...env, POD_NAME: 'keda-adapter' },
        ),
    );
  } catch (err) {
    await operator.stop();
    throw err;
  }
  return {
    async stop() {
      await adapter.stop();
      await operator.stop();
    },
  };
}
