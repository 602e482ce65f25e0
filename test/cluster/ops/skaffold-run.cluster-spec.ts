// skaffold.yaml for real: `skaffold build` pushes the three dev images to the local registry,
// `skaffold run` deploys the chart from it and the seed's requests are answered exactly, and
// `skaffold delete` leaves nothing of the release behind.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REGISTRY,
  REPO,
  createNamespace,
  deleteNamespace,
  kubectlJson,
  portForward,
  requireCluster,
  until,
} from './support/cluster.ts';
import { registryTags, registryUp } from './support/registry.ts';
import { leftovers, postSeed } from './support/seed.ts';
import { skaffold } from './support/skaffold.ts';

const NS = 'ops-skaffold-run';
const APPS = Object.keys(JSON.parse(readFileSync(join(REPO, 'nest-cli.json'), 'utf8')).projects);

describe('skaffold build, run and delete against the local cluster', () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'ops-skaffold-')), 'build.json');

  beforeAll(() => {
    requireCluster();
    registryUp();
    createNamespace(NS);
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
        `^${REGISTRY.replace(/\./g, '\\.')}/([^:@]+):([^@]+)@sha256:[0-9a-f]{64}$`,
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
    const images = kubectlJson(['get', 'pods', '-n', NS]).items.flatMap(
      (p: { spec: { containers: Array<{ image: string }> } }) =>
        p.spec.containers.map((c) => c.image),
    );
    for (const app of APPS)
      expect(images).toContainEqual(
        expect.stringMatching(new RegExp(`^${REGISTRY}/gateway-stack_${app}:`)),
      );
    // values-dev.yaml's gateway Service is a ClusterIP: reached as a user would, port-forwarded.
    const forward = await portForward(NS, 'service/gateway-stack-gateway', 8000);
    try {
      await postSeed(forward.url);
    } finally {
      forward.stop();
    }

    const del = await skaffold(NS, ['delete']);
    expect({ code: del.code, tail: del.code === 0 ? '' : del.output.slice(-3000) }).toEqual({
      code: 0,
      tail: '',
    });
    await until('nothing left in the namespace', () => leftovers(NS).length === 0, 120_000).catch(
      () => {
        throw new Error(`left behind: ${leftovers(NS).join(', ')}`);
      },
    );
  });
});
