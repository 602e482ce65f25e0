// The local registry on 127.0.0.1:5000 that skaffold pushes to and the kubelet pulls from, started
// (by PID, idempotently) by registry_up of local-cluster/lib/addons.sh in this checkout.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REGISTRY, REPO } from './cluster.ts';

function addons(fn: 'registry_up' | 'registry_down'): void {
  const script = `
    set -euo pipefail
    TOOLS="$ROOT/.tools"; CLUSTER_DIR="$TOOLS/cluster"; STATE="$CLUSTER_DIR/state"
    log() { printf '[cluster] %s\\n' "$*" >&2; }
    die() { log "error: $*"; exit 1; }
    source "$ROOT/local-cluster/lib/processes.sh"
    source "$ROOT/local-cluster/lib/addons.sh"
    ${fn}`;
  execFileSync('bash', ['-c', script], {
    env: { ...process.env, ROOT: REPO, REGISTRY_HOST: REGISTRY },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 60_000,
  });
}

export const registryUp = () => addons('registry_up');
/** Stops it by PID (what `npm run cluster -- down` does once it runs registry_down). */
export const registryDown = () => addons('registry_down');

/** Repositories and their tags in the registry (its HTTP API). */
export async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/tags/list`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

export const registryLog = join(REPO, '.tools/cluster/state/logs/docker-registry.log');
