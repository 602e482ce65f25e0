// Brings the local cluster up (unless it already runs) and builds the images from the Dockerfile
// into it, so every cluster test runs the code of this checkout, on a Ready node. A cluster this
// setup started is taken down again by global-teardown.ts; one that was already up is left up.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventually } from '../../support/eventually.ts';
import { REPO, clusterIsUp, clusterScript, kubectl } from './cluster.ts';
import { HOST_ENDPOINTS } from './endpoints.ts';

export const STARTED_MARKER = join(REPO, '.tools/cluster/started-by-tests');

export default async function globalSetup(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('npm run test:cluster needs root (network namespaces, iptables, mounts)');
  const startedHere = !clusterIsUp();
  try {
    if (startedHere) {
      mkdirSync(dirname(STARTED_MARKER), { recursive: true });
      writeFileSync(STARTED_MARKER, `${process.pid}\n`);
      await clusterScript('up');
    } else if (!existsSync(HOST_ENDPOINTS)) {
      // Up since before cluster.sh wrote that file: `up` is idempotent and writes it.
      await clusterScript('up');
    }
    await clusterScript('images');
    await eventually(
      () =>
        kubectl([
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
        ]).includes('True'),
      { timeoutMs: 120_000, intervalMs: 1000, what: 'a Ready node' },
    );
  } catch (err) {
    // jest runs no teardown when the setup fails: stop what this setup started, then fail.
    if (startedHere) await clusterScript('down').catch(() => undefined);
    throw err;
  }
}
