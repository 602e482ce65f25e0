// Brings the local cluster up (unless it already runs) and builds the images from the Dockerfile
// into it, so every cluster test runs the code of this checkout. A cluster this setup started is
// taken down again by global-teardown.ts; one that was already up is left as it was.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO, clusterIsUp, clusterScript } from './cluster.ts';

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
    }
    await clusterScript('images');
  } catch (err) {
    // jest runs no teardown when the setup fails: stop what this setup started, then fail.
    if (startedHere) await clusterScript('down').catch(() => undefined);
    throw err;
  }
}
