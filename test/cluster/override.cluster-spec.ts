// `helm install -f my-values.yaml`: what a values file says is what runs - replica counts, the
// NodePort, resources and log levels, read back from the running pods, not from the rendered YAML.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { nodePortAccepting } from './support/access.ts';
import { REPO, kubectl } from './support/cluster.ts';
import { hostEndpoints } from './support/endpoints.ts';
import { pods, readyPods } from './support/pods.ts';
import { install, uninstall, type Release } from './support/release.ts';
import { expectSeedAnswers, seedRequests } from './support/seed.ts';

const FILE = join(REPO, 'test/cluster/fixtures/values-override.yaml');
const overrides = parse(readFileSync(FILE, 'utf8'));
const release: Release = { name: 'override', namespace: 'gs-override' };

beforeAll(() => {
  uninstall(release);
  install(release, {}, { valuesFiles: [FILE] });
}, 400_000);

afterAll(() => uninstall(release), 300_000);

test('each app runs the replica count of the file', () => {
  for (const app of ['gateway', 'webapp-1', 'rpc-app-1']) {
    expect({ app, pods: pods(release, app).length, ready: readyPods(release, app).length }).toEqual(
      {
        app,
        pods: overrides.components[app].replicas,
        ready: overrides.components[app].replicas,
      },
    );
  }
});

test('the gateway answers on the fixed NodePort of the file, on the NodePort host (127.0.0.1)', async () => {
  const url = `http://${hostEndpoints().nodePortHost}:${overrides.components.gateway.service.nodePort}`;
  // kube-proxy opens a NodePort a moment after the pods turn Ready (docs/kubernetes.md).
  await nodePortAccepting(url);
  expectSeedAnswers(await seedRequests(url));
});

test('webapp-1 pods carry the resources of the file; the others keep the defaults', () => {
  for (const pod of pods(release, 'webapp-1'))
    expect(pod.spec.containers[0].resources).toEqual(overrides.components['webapp-1'].resources);
  const defaults = parse(readFileSync(join(REPO, 'charts/gateway-stack/values.yaml'), 'utf8'))
    .componentDefaults.resources;
  for (const pod of pods(release, 'rpc-app-1'))
    expect(pod.spec.containers[0].resources).toEqual(defaults);
});

test('each running process has the log level of the file (per component over the default)', () => {
  const expected: Record<string, string> = {
    gateway: overrides.components.gateway.logLevel,
    'webapp-1': overrides.componentDefaults.logLevel,
    'rpc-app-1': overrides.componentDefaults.logLevel,
  };
  for (const [app, level] of Object.entries(expected)) {
    for (const pod of pods(release, app)) {
      // The environment of the app process itself (PID 1 of the container).
      const environ = kubectl([
        'exec',
        '-n',
        release.namespace,
        pod.metadata.name,
        '--',
        'cat',
        '/proc/1/environ',
      ]);
      expect({
        pod: pod.metadata.name,
        level: environ.split('\0').find((v) => v.startsWith('LOG_LEVEL=')),
      }).toEqual({
        pod: pod.metadata.name,
        level: `LOG_LEVEL=${level}`,
      });
    }
  }
  // And it acts on it: webapp-1 at warn writes no info line (its start-up lines included).
  for (const pod of pods(release, 'webapp-1'))
    expect(kubectl(['logs', '-n', release.namespace, pod.metadata.name])).not.toMatch(
      /"level":"info"/,
    );
});
