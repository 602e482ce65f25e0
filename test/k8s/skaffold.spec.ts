// skaffold.yaml without a cluster or skaffold itself: every document and every profile (its JSON
// patches applied as skaffold applies them) validates against the official v4beta13 schema, and
// the config agrees with the Dockerfile, nest-cli.json and the chart it deploys.
import Ajv from 'ajv';
import { applyPatch, type Operation } from 'fast-json-patch';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseDockerfile } from './support/dockerfile.ts';
import { helmTemplate } from './support/helm.ts';
import { byKind } from './support/invariants.ts';
import { CHART, REPO } from './support/tools.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- skaffold config is free-form YAML */
type Config = Record<string, any>;

const SCHEMA = JSON.parse(readFileSync(join(__dirname, 'fixtures/skaffold-v4beta13.json'), 'utf8'));
const documents = parseAllDocuments(readFileSync(join(REPO, 'skaffold.yaml'), 'utf8')).map(
  (doc) => doc.toJS() as Config,
);
const base = documents[0];
const APPS = Object.keys(JSON.parse(readFileSync(join(REPO, 'nest-cli.json'), 'utf8')).projects);
const validateSchema = new Ajv({ strict: false, allErrors: true }).compile(SCHEMA);
const valuesSchema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
const stages = parseDockerfile(join(REPO, 'Dockerfile')).stages;

/** The config with one profile applied: its patches in order, then the profile's own sections. */
function withProfile(config: Config, name?: string): Config {
  const resolved = structuredClone(config);
  delete resolved.profiles;
  if (!name) return resolved;
  const profile = config.profiles.find((p: Config) => p.name === name);
  applyPatch(resolved, profile.patches ?? [], true, true);
  for (const section of ['build', 'deploy', 'portForward', 'manifests', 'test', 'verify']) {
    if (profile[section]) resolved[section] = profile[section];
  }
  return resolved;
}

const variants: Array<[string, Config]> = [
  ['(no profile)', withProfile(base)],
  ...base.profiles.map((p: Config) => [p.name, withProfile(base, p.name)] as [string, Config]),
];

/**
 * A namespace as skaffold resolves it without SKAFFOLD_NAMESPACE: the default of
 * `{{ env "SKAFFOLD_NAMESPACE" | default "<ns>" }}`, or the literal.
 */
const NAMESPACE_TEMPLATE = /^\{\{ env "SKAFFOLD_NAMESPACE" \| default "([a-z0-9-]+)" \}\}$/;
const namespaceOf = (value: string) => NAMESPACE_TEMPLATE.exec(value)?.[1] ?? value;

/** Skaffold's template name for an image: `/`, `-` and `.` become `_`. */
const sanitize = (image: string) => image.replace(/[/.-]/g, '_');

/**
 * Substitutes skaffold's image template variables with what skaffold gives an image pushed as
 * --default-repo 127.0.0.1:5000 does (a registry with a port, flattened path).
 */
function expandTemplates(value: string, images: string[]): string {
  return value.replace(
    /\{\{\s*\.IMAGE_(REPO_NO_DOMAIN|DOMAIN|REPO|TAG|DIGEST)_([A-Za-z0-9_]+)\s*\}\}/g,
    (match, part, name) => {
      const image = images.find((i) => sanitize(i) === name);
      if (!image)
        throw new Error(`${match} names no build artifact (${images.map(sanitize).join(', ')})`);
      const path = image.replace('/', '_');
      return {
        DOMAIN: '127.0.0.1:5000',
        REPO_NO_DOMAIN: path,
        REPO: `127.0.0.1:5000/${path}`,
        TAG: 'v1-dev',
        DIGEST: `sha256:${'b'.repeat(64)}`,
      }[part as string]!;
    },
  );
}

/** Is a dotted helm --set path allowed by the chart's values schema? */
function schemaHasPath(path: string): boolean {
  let node: any = valuesSchema;
  for (const key of path.split('.')) {
    node = node.$ref ? valuesSchema.$defs[node.$ref.split('/').pop()] : node;
    if (node.allOf) node = { ...valuesSchema.$defs[node.allOf[0].$ref.split('/').pop()] };
    if (node.$ref) node = valuesSchema.$defs[node.$ref.split('/').pop()];
    const next =
      node.properties?.[key] ??
      (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (!next) return false;
    node = next;
  }
  return true;
}

describe('skaffold.yaml against the official v4beta13 schema', () => {
  test('every document declares skaffold/v4beta13 and validates', () => {
    expect(documents.length).toBeGreaterThanOrEqual(1);
    for (const document of documents) {
      expect(document.apiVersion).toBe('skaffold/v4beta13');
      expect(validateSchema(document) ? [] : validateSchema.errors).toEqual([]);
    }
  });

  test('has the debug, prod and observability profiles', () => {
    expect(base.profiles.map((p: Config) => p.name)).toEqual(
      expect.arrayContaining(['debug', 'prod', 'observability']),
    );
  });

  test.each(variants)('profile %s: its patches apply and the result validates', (_name, config) => {
    expect(validateSchema(config) ? [] : validateSchema.errors).toEqual([]);
  });

  test('the schema check can fail: a misspelt key is rejected', () => {
    const broken = structuredClone(base);
    broken.build.local.useBuildKit = broken.build.local.useBuildkit;
    expect(validateSchema(broken)).toBe(false);
    expect(() =>
      applyPatch(
        structuredClone(base),
        [{ op: 'replace', path: '/build/nope/x', value: 1 } as Operation],
        true,
        true,
      ),
    ).toThrow();
  });
});

describe.each(variants)('profile %s agrees with the repo', (_name, config) => {
  const images: string[] = config.build.artifacts.map((a: Config) => a.image);
  const release = config.deploy.helm.releases.find(
    (r: Config) => r.chartPath === 'charts/gateway-stack',
  );

  test('one artifact per app of nest-cli.json, built from a Dockerfile stage with APP', () => {
    const built = config.build.artifacts.map((a: Config) => a.docker.buildArgs.APP).sort();
    expect(built).toEqual([...APPS].sort());
    for (const artifact of config.build.artifacts) {
      expect(artifact.docker.dockerfile).toBe('Dockerfile');
      expect(stages.map((s) => s.name)).toContain(artifact.docker.target);
      if (artifact.sync) expect(artifact.docker.target).toBe('dev');
    }
  });

  test('sync rules match sources that the dev stage copies into its WORKDIR', () => {
    const dev = stages.find((s) => s.name === 'dev')!;
    expect(dev.instructions.some((i) => i.keyword === 'COPY' && /\s\.\s+\.$/.test(i.args))).toBe(
      true,
    );
    for (const artifact of config.build.artifacts.filter((a: Config) => a.sync)) {
      for (const rule of artifact.sync.manual) {
        expect(rule.dest).toBe('.');
        expect(existsSync(join(REPO, rule.src.split('/')[0]))).toBe(true);
      }
    }
  });

  test('every setValueTemplates / setValues key is a chart value, every template names an artifact, and the chart renders with them', () => {
    const set: Record<string, string> = { ...(release.setValues ?? {}) };
    for (const [key, value] of Object.entries(release.setValueTemplates as Record<string, string>))
      set[key] = expandTemplates(value, images);
    for (const key of Object.keys(set))
      expect(`${key}: ${schemaHasPath(key)}`).toBe(`${key}: true`);
    for (const app of APPS)
      expect(release.setValueTemplates[`components.${app}.image.repository`]).toBeDefined();
    for (const file of release.valuesFiles) expect(existsSync(join(REPO, file))).toBe(true);
    const objects = helmTemplate({
      release: release.name,
      namespace: namespaceOf(release.namespace),
      valuesFiles: release.valuesFiles.map((f: string) => join(REPO, f)),
      set: Object.entries(set).map(([k, v]) => `${k}=${v}`),
    });
    const rendered = byKind(objects, 'Deployment').flatMap((d) =>
      d.spec.template.spec.containers.map((c: Config) => c.image),
    );
    for (const app of APPS)
      expect(rendered).toContainEqual(
        expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:5000/gateway-stack_${app}:v1-dev`)),
      );
  });

  test('port-forwards name Services / Deployments the chart renders for this release, on ports they serve', () => {
    const objects = helmTemplate({
      release: release.name,
      namespace: namespaceOf(release.namespace),
      valuesFiles: release.valuesFiles.map((f: string) => join(REPO, f)),
    });
    const forwards = config.portForward.filter(
      (p: Config) => namespaceOf(p.namespace) === namespaceOf(release.namespace),
    );
    expect(forwards.length).toBeGreaterThanOrEqual(2);
    for (const forward of forwards) {
      const kind = forward.resourceType === 'service' ? 'Service' : 'Deployment';
      const target = byKind(objects, kind).find((o) => o.metadata.name === forward.resourceName);
      expect(`${kind}/${forward.resourceName}: ${Boolean(target)}`).toBe(
        `${kind}/${forward.resourceName}: true`,
      );
      const ports: number[] =
        kind === 'Service'
          ? target!.spec.ports.map((p: Config) => p.port)
          : target!.spec.template.spec.containers.flatMap((c: Config) =>
              c.ports.map((p: Config) => p.containerPort),
            );
      expect(ports).toContain(forward.port);
    }
  });

  test('remote charts are pinned to an exact version from an https repo', () => {
    for (const remote of config.deploy.helm.releases.filter((r: Config) => r.remoteChart)) {
      expect(remote.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(remote.repo).toMatch(/^https:\/\//);
      for (const file of remote.valuesFiles ?? []) expect(existsSync(join(REPO, file))).toBe(true);
    }
  });
});

describe('profiles do what they say', () => {
  const get = (name: string) => variants.find(([n]) => n === name)![1];

  test('debug: production image with the Node.js runtime type, no sync, auto-activated by skaffold debug', () => {
    const debug = get('debug');
    for (const artifact of debug.build.artifacts)
      expect(artifact).toMatchObject({ runtimeType: 'nodejs', docker: { target: 'runtime' } });
    expect(debug.build.artifacts.some((a: Config) => a.sync)).toBe(false);
    expect(base.profiles.find((p: Config) => p.name === 'debug').activation).toEqual([
      { command: 'debug' },
    ]);
  });

  test('prod: runtime images pushed, production values, images pinned by digest', () => {
    const prod = get('prod');
    expect(prod.build.local.push).toBe(true);
    expect(
      prod.build.artifacts.every((a: Config) => a.docker.target === 'runtime' && !a.sync),
    ).toBe(true);
    expect(prod.deploy.helm.releases[0].valuesFiles).toEqual([
      'charts/gateway-stack/examples/values-production.yaml',
    ]);
    for (const app of APPS)
      expect(
        prod.deploy.helm.releases[0].setValueTemplates[`components.${app}.image.digest`],
      ).toMatch(/IMAGE_DIGEST_/);
  });

  test('no profile: push left to skaffold (loaded into kind / minikube, pushed elsewhere); SKAFFOLD_NAMESPACE moves the release and its forwards', () => {
    expect(base.build.local).not.toHaveProperty('push');
    const release = base.deploy.helm.releases[0];
    expect(release.namespace).toMatch(NAMESPACE_TEMPLATE);
    expect(base.portForward.length).toBeGreaterThanOrEqual(2);
    for (const forward of base.portForward) expect(forward.namespace).toBe(release.namespace);
    // Without SKAFFOLD_NAMESPACE: gateway-stack, as docs/kubernetes.md says.
    expect(namespaceOf(release.namespace)).toBe('gateway-stack');
  });

  test("cluster-engine: on `npm run cluster`'s Docker engine (no bridge) every build step uses the host network", () => {
    const profile = base.profiles.find((p: Config) => p.name === 'cluster-engine');
    expect(profile.activation).toEqual([
      { env: 'DOCKER_HOST=unix:///run/gateway-stack-cluster/docker.sock' },
    ]);
    expect(readFileSync(join(REPO, 'local-cluster/cluster.sh'), 'utf8')).toContain(
      'RUN_DIR="/run/$CLUSTER_NAME-cluster"',
    );
    for (const artifact of get('cluster-engine').build.artifacts)
      expect(artifact.docker.network).toBe('host');
  });

  test("npm-ca: NODE_EXTRA_CA_CERTS reaches npm ci as the Dockerfile's npm_ca build secret", () => {
    const profile = base.profiles.find((p: Config) => p.name === 'npm-ca');
    expect(profile.activation).toEqual([{ env: 'NODE_EXTRA_CA_CERTS=.' }]);
    for (const artifact of get('npm-ca').build.artifacts)
      expect(artifact.docker.cliFlags).toEqual(['--secret=id=npm_ca,src={{.NODE_EXTRA_CA_CERTS}}']);
    const deps = stages
      .flatMap((s) => s.instructions)
      .filter((i) => /image-build\.sh deps/.test(i.args));
    expect(deps.length).toBeGreaterThan(0);
    for (const step of deps)
      expect(step.mounts).toContainEqual(expect.stringMatching(/^type=secret,id=npm_ca\b/));
  });

  test('observability: Prometheus stack and Tempo deploy before the app, which exports traces to Tempo and is scraped', () => {
    const observability = get('observability');
    const names = observability.deploy.helm.releases.map((r: Config) => r.name);
    expect(names).toEqual(['kube-prometheus-stack', 'tempo', 'gateway-stack']);
    const values = observability.deploy.helm.releases[2].valuesFiles.map((f: string) =>
      join(REPO, f),
    );
    const objects = helmTemplate({
      release: 'gateway-stack',
      namespace: 'gateway-stack',
      valuesFiles: values,
    });
    expect(byKind(objects, 'ServiceMonitor').length).toBe(1);
    const env = byKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === 'gateway-stack-gateway-env',
    )!.data;
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://tempo.monitoring.svc.cluster.local:4318');
  });
});
