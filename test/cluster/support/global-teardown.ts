// Stops the cluster if global-setup.ts started it (KEEP_CLUSTER=1 keeps it for a look afterwards).
import { existsSync, rmSync } from 'node:fs';
import { CLUSTER_DIR, clusterScript } from './cluster.ts';
import { diskAvailable } from './diagnosis.ts';
import { STARTED_MARKER } from './global-setup.ts';

export default async function globalTeardown(): Promise<void> {
  console.log(`[cluster tests] at the end: ${diskAvailable(CLUSTER_DIR)}`);
  if (!existsSync(STARTED_MARKER) || process.env.KEEP_CLUSTER === '1') return;
  await clusterScript('down');
  rmSync(STARTED_MARKER, { force: true });
}
