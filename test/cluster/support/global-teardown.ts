// Stops the cluster if global-setup.ts started it (KEEP_CLUSTER=1 keeps it for a look afterwards).
import { existsSync, rmSync } from 'node:fs';
import { clusterScript } from './cluster.ts';
import { STARTED_MARKER } from './global-setup.ts';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(STARTED_MARKER) || process.env.KEEP_CLUSTER === '1') return;
  await clusterScript('down');
  rmSync(STARTED_MARKER, { force: true });
}
