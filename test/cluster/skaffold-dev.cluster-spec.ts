// `skaffold dev` as docs/kubernetes.md ("The dev loop") promises it: the gateway's port-forwards on 127.0.0.1 (8000 public,
// 9000 admin) answer, and an edit of a source file is synced into the running pod and served
// without a new image or pod; the edit is then reverted and served too; Ctrl-C removes the release.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GiveUp, eventually } from '../support/eventually.ts';
import { REPO } from './support/cluster.ts';
import { hostEndpoints } from './support/endpoints.ts';
import { pods } from './support/pods.ts';
import { registryUp } from './support/registry.ts';
import { deleteNamespace, freshNamespace, leftovers } from './support/release.ts';
import { seedAnswered, sendSeed } from './support/seed.ts';
import { SkaffoldProcess } from './support/skaffold.ts';

/** skaffold.yaml's release, in a namespace of this test (SKAFFOLD_NAMESPACE). */
const RELEASE = { name: 'gateway-stack', namespace: 'gs-skaffold-dev' };
const NS = RELEASE.namespace;
const SOURCE = join(REPO, 'apps/webapp-1/src/projects/projects.service.ts');
/** The edit, synced and rebuilt by `nest start --watch` in the pod, must be served within this. */
const SERVED_WITHIN_S = 60;

/** The local URL skaffold prints for a forward of `resource` to `port`. */
function forwarded(dev: SkaffoldProcess, resource: string, port: number): string | undefined {
  const re = new RegExp(
    `Port forwarding ${resource} in namespace ${NS}, remote port ${port} -> (http://127\\.0\\.0\\.1:\\d+)`,
  );
  return re.exec(dev.text())?.[1];
}

const webappPods = () =>
  pods(RELEASE, 'webapp-1').map(
    (p) => `${p.metadata.name}/${p.status.containerStatuses?.[0]?.restartCount ?? '-'}`,
  );

describe('skaffold dev against the local cluster', () => {
  const original = readFileSync(SOURCE, 'utf8');
  let dev: SkaffoldProcess | undefined;

  beforeAll(() => {
    registryUp();
    freshNamespace(NS);
    expect(original).toContain('url: `Project-${title}`');
  });
  afterAll(async () => {
    writeFileSync(SOURCE, original);
    await dev?.stop();
    deleteNamespace(NS);
  });

  test('port-forwards answer, an edit is synced and served, the revert too, Ctrl-C cleans up', async () => {
    dev = new SkaffoldProcess(NS, ['dev', '--port-forward=user']);
    const tail = () => dev!.text().slice(-3000);

    const base = await eventually(
      () => {
        // skaffold dev keeps waiting for edits after a failed deploy: no port-forward will come.
        const failed = /Error: (INSTALLATION|UPGRADE) FAILED.*/.exec(dev!.text());
        if (failed) throw new GiveUp(`skaffold's deploy failed: ${failed[0]}`);
        return forwarded(dev!, 'service/gateway-stack-gateway', 8000) ?? false;
      },
      { timeoutMs: 900_000, intervalMs: 2000, what: 'the gateway port-forward' },
    ).catch((err) => {
      throw new Error(`${err}\n${tail()}`);
    });
    const admin = await eventually(
      () => forwarded(dev!, 'deployment/gateway-stack-gateway', 9000) ?? false,
      { timeoutMs: 120_000, intervalMs: 1000, what: 'the admin port-forward' },
    );
    // The documented localhost:8000 and :9000, or the next free ports (skaffold tries ten more and
    // prints its choice): on a busy machine another process may hold them on some address.
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:80(0\d|10)$/);
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:90(0\d|10)$/);
    await seedAnswered(base, 300_000);
    expect(
      (await fetch(`${admin}/_status/healthcheck`, { signal: AbortSignal.timeout(5000) })).status,
    ).toBe(200);
    const podsBefore = webappPods();

    const served = (prefix: string) =>
      eventually(
        async () => {
          const answer = await sendSeed(base, 'projects').catch(() => undefined);
          return (
            (answer?.body as { url?: string } | undefined)?.url === `${prefix}An awesome project`
          );
        },
        {
          timeoutMs: SERVED_WITHIN_S * 1000,
          intervalMs: 500,
          what: `"${prefix}" served after the edit (skaffold dev output: ${tail()})`,
        },
      );
    /** Writes the file until skaffold says it synced it (an edit before its watcher is set is missed). */
    const edit = async (content: string) => {
      const syncs = () => (dev!.text().match(/Syncing \d+ files? for /g) ?? []).length;
      const before = syncs();
      await eventually(
        () => {
          if (syncs() > before) return true;
          writeFileSync(SOURCE, content);
          return false;
        },
        { timeoutMs: 60_000, intervalMs: 3000, what: 'skaffold syncs the edit' },
      );
    };
    await eventually(() => dev!.text().includes('Watching for changes'), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: 'skaffold watching',
    });
    const edited = original.replace('url: `Project-${title}`', 'url: `Projekt-${title}`');
    // Seconds from the first write of the file to the first answer with the new code.
    const editToServed = async (content: string, prefix: string) => {
      const started = Date.now();
      await edit(content);
      await served(prefix);
      return (Date.now() - started) / 1000;
    };
    const editS = await editToServed(edited, 'Projekt-');
    const revertS = await editToServed(original, 'Project-');
    console.log(
      `[skaffold dev] forwards ${base} ${admin}; edit served after ${editS.toFixed(1)} s, revert after ${revertS.toFixed(1)} s`,
    );
    // Synced into the same container: no new image, no new pod, no restart.
    expect(webappPods()).toEqual(podsBefore);
    const registry = hostEndpoints().registry.replace(/\./g, '\\.');
    expect(dev.text()).toMatch(
      new RegExp(`Syncing \\d+ files? for ${registry}/gateway-stack_webapp-1:`),
    );

    expect(await dev.stop()).not.toBeNull();
    await eventually(() => expect(leftovers(NS)).toEqual([]), {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: 'nothing left after Ctrl-C',
    });
  });
});
