// `skaffold dev` as the README promises it: the gateway's port-forwards on 127.0.0.1 (8000 public,
// 9000 admin) answer, and an edit of a source file is synced into the running pod and served
// without a new image or pod; the edit is then reverted and served too; Ctrl-C removes the release.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO,
  createNamespace,
  deleteNamespace,
  kubectlJson,
  requireCluster,
  until,
  GiveUp,
} from './support/cluster.ts';
import { registryUp } from './support/registry.ts';
import { leftovers, postProject, postSeed } from './support/seed.ts';
import { SkaffoldProcess } from './support/skaffold.ts';

const NS = 'ops-skaffold-dev';
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
  kubectlJson(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=webapp-1']).items.map(
    (p: {
      metadata: { name: string };
      status: { containerStatuses?: Array<{ restartCount: number }> };
    }) => `${p.metadata.name}/${p.status.containerStatuses?.[0]?.restartCount ?? '-'}`,
  );

describe('skaffold dev against the local cluster', () => {
  const original = readFileSync(SOURCE, 'utf8');
  let dev: SkaffoldProcess | undefined;

  beforeAll(() => {
    requireCluster();
    registryUp();
    createNamespace(NS);
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

    const base = await until(
      'the gateway port-forward',
      () => {
        // skaffold dev keeps waiting for edits after a failed deploy: no port-forward will come.
        const failed = /Error: (INSTALLATION|UPGRADE) FAILED.*/.exec(dev!.text());
        if (failed) throw new GiveUp(`skaffold's deploy failed: ${failed[0]}`);
        return forwarded(dev!, 'service/gateway-stack-gateway', 8000);
      },
      900_000,
      2000,
    ).catch((err) => {
      throw new Error(`${err}\n${tail()}`);
    });
    const admin = await until(
      'the admin port-forward',
      () => forwarded(dev!, 'deployment/gateway-stack-gateway', 9000),
      120_000,
    );
    // The README's localhost:8000 and :9000, or the next free ports (skaffold tries ten more and
    // prints its choice): on a busy machine another process may hold them on some address.
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:80(0\d|10)$/);
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:90(0\d|10)$/);
    await postSeed(base, 300_000);
    expect(
      (await fetch(`${admin}/_status/healthcheck`, { signal: AbortSignal.timeout(5000) })).status,
    ).toBe(200);
    const podsBefore = webappPods();

    const served = (prefix: string) =>
      until(
        `"${prefix}" served after the edit (skaffold dev output: ${tail()})`,
        async () => {
          const answer = await postProject(base).catch(() => undefined);
          return (
            (answer?.json as { url?: string } | undefined)?.url === `${prefix}An awesome project`
          );
        },
        SERVED_WITHIN_S * 1000,
        500,
      );
    /** Writes the file until skaffold says it synced it (an edit before its watcher is set is missed). */
    const edit = async (content: string) => {
      const syncs = () => (dev!.text().match(/Syncing \d+ files? for /g) ?? []).length;
      const before = syncs();
      await until(
        'skaffold syncs the edit',
        () => {
          if (syncs() > before) return true;
          writeFileSync(SOURCE, content);
          return undefined;
        },
        60_000,
        3000,
      );
    };
    await until('skaffold watching', () => dev!.text().includes('Watching for changes'), 120_000);
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
    expect(dev.text()).toMatch(/Syncing \d+ files? for 127\.0\.0\.1:5000\/gateway-stack_webapp-1:/);

    expect(await dev.stop()).not.toBeNull();
    await until('nothing left after Ctrl-C', () => leftovers(NS).length === 0, 180_000).catch(
      () => {
        throw new Error(`left behind: ${leftovers(NS).join(', ')}`);
      },
    );
  });
});
