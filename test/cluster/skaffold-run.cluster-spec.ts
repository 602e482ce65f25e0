// skaffold.yaml for real: `skaffold build` pushes the three dev images to the local registry,
// `skaffold run` deploys the chart from it and the seed's requests are answered exactly, and
// `skaffold delete` leaves nothing of the release behind.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { portForward } from './support/access.ts';
import { REPO } from './support/cluster.ts';
import { hostEndpoints } from './support/endpoints.ts';
import { pods } from './support/pods.ts';
import { registryTags, registryUp } from './support/registry.ts';
import { deleteNamespace, freshNamespace, leftovers } from './support/release.ts';
import { seedAnswered } from './support/seed.ts';
import { skaffold } from './support/skaffold.ts';

/** skaffold.yaml's release, in a namespace of this test (SKAFFOLD_NAMESPACE). */
const RELEASE = { name: 'gateway-stack', namespace: 'gs-skaffold-run' };
const NS = RELEASE.namespace;
const APPS = Object.keys(JSON.parse(readFileSync(join(REPO, 'nest-cli.json'), 'utf8')).projects);

describe('skaffold build, run and delete against the local cluster', () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'gs-skaffold-')), 'build.json');
  const registry = () => hostEndpoints().registry;

  beforeAll(() => {
    registryUp();
    freshNamespace(NS);
  });
  afterAll(() => deleteNamespace(NS));

  test('skaffold build: the three dev images land in the local registry', async () => {
    const result = await skaffold(NS, ['build', `--file-output=${artifacts}`]);
    expect({
      code: result.code,
      tail: result.code === 0 ? '' : result.output.slice(-3000),
    }).toEqual({ code: 0, tail: '' });
    const builds: Array<{ imageName: string; tag: string }> = JSON.parse(
      readFileSync(artifacts, 'utf8'),
    ).builds;
    expect(builds.map((b) => b.imageName).sort()).toEqual(
      APPS.map((app) => `gateway-stack/${app}`).sort(),
    );
    for (const { tag } of builds) {
      // 127.0.0.1:5000/<repository>:<tag>@sha256:... (skaffold flattens gateway-stack/x to gateway-stack_x)
      const match = new RegExp(
        `^${registry().replace(/\./g, '\\.')}/([^:@]+):([^@]+)@sha256:[0-9a-f]{64}$`,
      ).exec(tag);
      expect({ tag, pushed: Boolean(match) }).toEqual({ tag, pushed: true });
      expect(await registryTags(match![1])).toContain(match![2]);
    }
  });

  test('skaffold run: pods run the registry images and answer the seed requests; skaffold delete leaves nothing', async () => {
    const run = await skaffold(NS, ['run']);
    expect({ code: run.code, tail: run.code === 0 ? '' : run.output.slice(-3000) }).toEqual({
      code: 0,
      tail: '',
    });
    const images = pods(RELEASE).flatMap((p) => p.spec.containers.map((c) => c.image));
    for (const app of APPS)
      expect(images).toContainEqual(
        expect.stringMatching(new RegExp(`^${registry()}/gateway-stack_${app}:`)),
      );
    // values-dev.yaml's gateway Service is a ClusterIP: reached as a user would, port-forwarded.
    const forward = await portForward(NS, 'service/gateway-stack-gateway', 8000);
    try {
      await seedAnswered(forward.url, 60_000);
    } finally {
      forward.stop();
    }

    const del = await skaffold(NS, ['delete']);
    expect({ code: del.code, tail: del.code === 0 ? '' : del.output.slice(-3000) }).toEqual({
      code: 0,
      tail: '',
    });
    await eventually(() => expect(leftovers(NS)).toEqual([]), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: 'nothing left in the namespace',
    });
  });
});
