// Brings the local cluster up with CLUSTER_NODES nodes (3 unless set: the multi-node specs need
// them; a cluster that already runs with fewer gets the missing ones, `up` is idempotent) and builds
// the images from the Dockerfile into every node, so every cluster test runs the code of this
// checkout, on Ready nodes. A cluster this setup started is taken down again by
// global-teardown.ts; one that was already up is left up.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventually } from '../../support/eventually.ts';
import { REPO, clusterIsUp, clusterNodes, clusterScript } from './cluster.ts';
import { diskAvailable } from './diagnosis.ts';
import { HOST_ENDPOINTS } from './endpoints.ts';
import { WANTED_NODES } from './nodes.ts';

export const STARTED_MARKER = join(REPO, '.tools/cluster/started-by-tests');

export default async function globalSetup(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('npm run test:cluster needs root (network namespaces, iptables, mounts)');
  // The nodes share this disk: a run that fills it fails every spec after (printed again at the end).
  console.log(`[cluster tests] ${diskAvailable(REPO)}`);
  const startedHere = !clusterIsUp();
  try {
    const up = ['--nodes', String(WANTED_NODES)];
    if (startedHere) {
      mkdirSync(dirname(STARTED_MARKER), { recursive: true });
      writeFileSync(STARTED_MARKER, `${process.pid}\n`);
      await clusterScript('up', up);
    } else if (!existsSync(HOST_ENDPOINTS) || clusterNodes().length < WANTED_NODES) {
      // Up since before cluster.sh wrote that file, or with fewer nodes: `up` is idempotent.
      await clusterScript('up', up);
    }
    await clusterScript('images');
    await eventually(() => clusterNodes().filter((node) => node.ready).length >= WANTED_NODES, {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: `${WANTED_NODES} Ready nodes`,
    });
  } catch (err) {
    // jest runs no teardown when the setup fails: stop what this setup started, then fail.
    if (startedHere) await clusterScript('down').catch(() => undefined);
    throw err;
  }
}
