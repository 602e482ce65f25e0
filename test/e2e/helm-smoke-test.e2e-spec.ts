// The `helm test` pod as the chart renders it with TLS and authentication on, run against real
// processes: the gateway gets the chart's edge env and the per-route auth of the chart's route file
// (as AUTH_ROUTES: these processes keep their own upstream addresses, so the gateway builds its two
// routes from its variables), the smoke script (files/smoke-test.mjs) the test pod's env, and each
// gets the Secret files its pod would mount (written where the mounts point, under a temporary
// root). A cluster would add only DNS and the Service in between.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Stack } from '../../process-topology/index.ts';
import { helmTemplate, type K8sObject } from '../k8s/support/helm.ts';
import { appDeployments, byKind, containerEnv } from '../k8s/support/invariants.ts';
import { renderedRouteFile } from '../k8s/support/route-file.ts';
import { CHART } from '../k8s/support/tools.ts';
import { makeCa, makeCertFor, type CertFiles } from '../support/certificates.ts';
import { JwksServer, signingKey, signJwt } from '../support/jwt-issuer.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form JSON */
const FQDN = 'rel-gateway-stack-gateway.shop.svc.cluster.local';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'gateway-smoke';
const API_KEY = 'smoke-key-5b0e2d7c9a1f3e6b8d0c2a4f6e8b0d13';
const SCRIPT = join(CHART, 'files/smoke-test.mjs');

type Secrets = Record<string, Record<string, string>>;

/**
 * Writes the Secret files a container's mounts would show under `root` (secret and projected
 * volumes, optional keys skipped when absent, as the kubelet does) and returns the path mapper.
 */
function mountSecrets(pod: any, root: string, secrets: Secrets): (path: string) => string {
  const container = pod.containers[0];
  const mounts: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    const sources = volume.secret
      ? [{ ...volume.secret, name: volume.secret.secretName }]
      : (volume.projected?.sources ?? []).map((s: any) => s.secret).filter(Boolean);
    if (sources.length === 0) continue;
    mounts.push(mount.mountPath);
    for (const source of sources) {
      const data = secrets[source.name];
      if (!data) throw new Error(`the pod mounts Secret ${source.name}, which the test lacks`);
      for (const item of source.items) {
        if (!(item.key in data)) {
          if (source.optional) continue;
          throw new Error(`Secret ${source.name} has no key ${item.key}`);
        }
        const file = join(root, mount.mountPath, item.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, data[item.key]);
      }
    }
  }
  return (path) =>
    path
      .split(',')
      .map((p) => (mounts.some((m) => p.startsWith(`${m}/`)) ? join(root, p) : p))
      .join(',');
}

/** The auth of the route file's routes as AUTH_ROUTES (the gateway's own two match exact paths). */
function authRoutesOf(objects: K8sObject[]): string {
  return renderedRouteFile(objects)
    .routes.filter((route) => route.auth)
    .map(({ match, auth }) => {
      const scopes = auth.scopes?.length ? `:${auth.scopes.join('+')}` : '';
      return `${match.path.exact}=${auth.scheme}${scopes}`;
    })
    .join(',');
}

/** Runs the smoke script (asynchronously: the JWKS server answers from this process). */
function smoke(env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stdout += chunk));
    child.on('exit', (status) => resolve({ status, stdout }));
  });
}

describe('helm test with TLS and authentication on, against real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'helm-smoke-'));
  const jwks = new JwksServer();
  const key = signingKey('smoke-1', 'ES256');
  let ca: CertFiles;
  let stack: Stack;
  let secrets: Secrets;
  let objects: K8sObject[];
  let runs = 0;

  /** The test pod's env, its files written under a fresh root, pointed at the local gateway. */
  const podEnv = (rendered: K8sObject[], secretsNow: Secrets = secrets): Record<string, string> => {
    const pod = byKind(rendered, 'Pod')[0].spec;
    const map = mountSecrets(pod, join(dir, `pod-${++runs}`), secretsNow);
    const env = Object.fromEntries(
      pod.containers[0].env.map((e: any) => [e.name, map(e.value)]),
    ) as Record<string, string>;
    const url = new URL(env.GATEWAY_URL);
    expect(`${url.protocol}//${url.hostname}`).toBe(`https://${FQDN}`);
    // The Service's name resolves only in the cluster: connect to the process, check the name.
    return { ...env, GATEWAY_URL: `https://${stack.gateways[0].address}`, SMOKE_DEADLINE_MS: '0' };
  };
  const values = (extra: string[] = []) =>
    helmTemplate({
      set: [
        'edge.tls.existingSecret=gw-tls',
        'edge.auth.default=api-key',
        'edge.auth.apiKeys.existingSecret=gw-keys',
        `edge.auth.jwt.jwksUrl=${jwks.url}`,
        `edge.auth.jwt.issuer=${ISSUER}`,
        `edge.auth.jwt.audience=${AUDIENCE}`,
        'tests.auth.jwtSecret=smoke-jwt',
        ...extra,
      ],
      setJson: ['edge.auth.routes={"/verify":"jwt:users.verify"}'],
    });

  beforeAll(async () => {
    await jwks.start('127.0.0.1');
    jwks.keys = [key];
    ca = makeCa(dir);
    const cert = makeCertFor(dir, ca, 'gateway', `DNS:${FQDN}`, 7);
    const now = Math.floor(Date.now() / 1000);
    secrets = {
      // No ca.crt: the test pod then trusts the certificate itself.
      'gw-tls': {
        'tls.crt': readFileSync(cert.cert, 'utf8'),
        'tls.key': readFileSync(cert.key, 'utf8'),
      },
      'gw-keys': { 'api-keys': `# rotated keys\n${API_KEY}\nkey-of-another-client\n` },
      'smoke-jwt': {
        token: signJwt(key, {
          iss: ISSUER,
          aud: AUDIENCE,
          sub: 'smoke-test',
          exp: now + 600,
          scope: 'users.verify',
        }),
      },
    };
    objects = values();
    // The gateway: the chart's edge env, the Secret files where its mounts would put them.
    const gateway = appDeployments(objects).get('gateway')!;
    const map = mountSecrets(gateway.spec.template.spec, join(dir, 'gateway'), secrets);
    const edgeEnv = Object.fromEntries(
      Object.entries({ ...containerEnv(objects, gateway), AUTH_ROUTES: authRoutesOf(objects) })
        .filter(([name]) => /^(AUTH|TLS)_/.test(name))
        .map(([name, value]) => [name, map(value)]),
    );
    expect(edgeEnv.AUTH_ROUTES).toBe('/verify=jwt:users.verify');
    expect(Object.keys(edgeEnv)).toEqual(
      expect.arrayContaining([
        'TLS_CERT_FILE',
        'TLS_KEY_FILE',
        'AUTH_API_KEYS_FILE',
        'AUTH_ROUTES',
      ]),
    );
    stack = new Stack({ env: { gateway: edgeEnv } });
    await stack.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await jwks.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('passes: HTTPS trusting the Secret certificate for the Service name, the API key and the JWT', async () => {
    const result = await smoke({ ...podEnv(objects), SMOKE_DEADLINE_MS: '15000' });
    expect(result.stdout).toBe('ok   POST /projects/\nok   POST /verify/\n');
    expect(result.status).toBe(0);
  });

  test('passes with a Secret that carries its CA (ca.crt) too', async () => {
    const withCa = {
      ...secrets,
      'gw-tls': { ...secrets['gw-tls'], 'ca.crt': readFileSync(ca.cert, 'utf8') },
    };
    const result = await smoke(podEnv(objects, withCa));
    expect(result.stdout).toBe('ok   POST /projects/\nok   POST /verify/\n');
  });

  test('passes unverified only when told to (tests.tls.insecureSkipVerify)', async () => {
    const env = podEnv(values(['tests.tls.insecureSkipVerify=true']));
    expect(env.SMOKE_CA_FILES).toBeUndefined();
    const result = await smoke(env);
    expect(result.stdout).toBe('ok   POST /projects/\nok   POST /verify/\n');
  });

  test('fails: a certificate that is not trusted, or for another name', async () => {
    const other = makeCa(mkdtempSync(join(dir, 'other-')));
    const untrusted = await smoke({ ...podEnv(objects), SMOKE_CA_FILES: other.cert });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stdout).toMatch(/FAIL POST \/projects\/ - request failed: .*certificate/);
    const named = await smoke({ ...podEnv(objects), SMOKE_TLS_SERVER_NAME: 'gateway.example.com' });
    expect(named.status).toBe(1);
    expect(named.stdout).toMatch(
      /FAIL POST \/projects\/ - request failed: .*gateway\.example\.com/,
    );
  });

  test('fails: no credentials', async () => {
    const env = podEnv(objects);
    delete env.SMOKE_API_KEY_FILE;
    delete env.SMOKE_BEARER_TOKEN_FILE;
    const result = await smoke(env);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL POST \/projects\/ - HTTP 401/);
    expect(result.stdout).toMatch(/FAIL POST \/verify\/ - HTTP 401/);
  });
});
