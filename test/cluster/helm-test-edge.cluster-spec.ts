// `helm test` with the gateway's TLS and authentication on, as a user secures it: the test pod
// speaks HTTPS, checks the certificate against the Secret's CA and the Service's DNS name, and
// presents an API key from the gateway's own key Secret. Two negative controls show that both
// checks are real: a wrong expected name and a key the gateway does not know each fail the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeCa, makeCertFor } from '../support/certificates.ts';
import { CHART, helm, kubectl, kubectlResult } from './support/cluster.ts';
import {
  freshNamespace,
  install,
  SMALL_REQUESTS,
  uninstall,
  type Release,
} from './support/release.ts';

const release: Release = { name: 'edge', namespace: 'gs-edge' };
// The name the chart gives the gateway's Service, which the test pod's certificate check expects.
const serviceHost = `${release.name}-gateway-stack-gateway.${release.namespace}.svc.cluster.local`;

/**
 * `helm test`'s verdict and output (it exits non-zero when the test pod fails). Logs only for a
 * failure: a passing test pod is deleted at once (hook-succeeded), so helm could not read them.
 */
function helmTest(logs: boolean): { passed: boolean; output: string } {
  const args = ['test', release.name, '-n', release.namespace, '--timeout', '3m'];
  try {
    return { passed: true, output: helm(logs ? [...args, '--logs'] : args) };
  } catch (err) {
    return { passed: false, output: (err as Error).message };
  }
}

function secret(name: string, args: string[]): void {
  kubectlResult(['delete', 'secret', name, '-n', release.namespace, '--ignore-not-found']);
  kubectl([
    'create',
    'secret',
    ...args.slice(0, 1),
    name,
    '-n',
    release.namespace,
    ...args.slice(1),
  ]);
}

beforeAll(() => {
  uninstall(release);
  freshNamespace(release.namespace);
  const dir = mkdtempSync(join(tmpdir(), 'gs-edge-'));
  try {
    const ca = makeCa(dir);
    const server = makeCertFor(dir, ca, 'gateway', `DNS:${serviceHost}`, 1);
    // A `kubernetes.io/tls` Secret plus the CA, as cert-manager writes it.
    secret('gw-tls', [
      'generic',
      '--type=kubernetes.io/tls',
      `--from-file=tls.crt=${server.cert}`,
      `--from-file=tls.key=${server.key}`,
      `--from-file=ca.crt=${ca.cert}`,
    ]);
    secret('gw-keys', ['generic', `--from-literal=api-keys=${randomBytes(24).toString('hex')}`]);
    secret('not-a-key', ['generic', `--from-literal=api-key=${randomBytes(24).toString('hex')}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  install(release, [
    SMALL_REQUESTS,
    {
      componentDefaults: { replicas: 1 },
      edge: {
        tls: { existingSecret: 'gw-tls' },
        auth: { default: 'api-key', apiKeys: { existingSecret: 'gw-keys' } },
      },
    },
  ]);
}, 400_000);

afterAll(() => uninstall(release), 300_000);

test('helm test passes over HTTPS with the gateway key', () => {
  const result = helmTest(false);
  expect(result.output).toMatch(/Phase:\s+Succeeded/);
  expect(result.passed).toBe(true);
}, 240_000);

/** `helm upgrade --reuse-values` with these test settings (only the test pod changes). */
function setTests(...settings: string[]): void {
  const sets = settings.flatMap((setting) => ['--set', setting]);
  helm([
    'upgrade',
    release.name,
    CHART,
    '-n',
    release.namespace,
    '--reuse-values',
    ...sets,
    '--wait',
  ]);
}

test('helm test fails when the certificate must carry another name', () => {
  setTests('tests.tls.serverName=wrong.example');
  const result = helmTest(true);
  expect(result.passed).toBe(false);
  expect(result.output).toMatch(/wrong\.example/);
}, 400_000);

test('helm test fails with a key the gateway does not know', () => {
  setTests('tests.tls.serverName=', 'tests.auth.apiKeySecret=not-a-key');
  const result = helmTest(true);
  expect(result.passed).toBe(false);
  expect(result.output).toMatch(/401/);
}, 400_000);
