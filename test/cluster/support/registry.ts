// The local registry (cluster.sh's REGISTRY_HOST) that skaffold pushes to and the kubelet pulls from, started
// (by PID, idempotently) by registry_up of local-cluster/lib/addons.sh in this checkout.
import { execFileSync } from 'node:child_process';
import { REPO } from './cluster.ts';
import { hostEndpoints } from './endpoints.ts';

/** Starts it unless it runs (what `npm run cluster -- up` does). */
export function registryUp(): void {
  const script = `
    set -euo pipefail
    TOOLS="$ROOT/.tools"; CLUSTER_DIR="$TOOLS/cluster"; STATE="$CLUSTER_DIR/state"
    log() { printf '[cluster] %s\\n' "$*" >&2; }
    die() { log "error: $*"; exit 1; }
    source "$ROOT/local-cluster/lib/processes.sh"
    source "$ROOT/local-cluster/lib/addons.sh"
    registry_up`;
  execFileSync('bash', ['-c', script], {
    env: { ...process.env, ROOT: REPO, REGISTRY_HOST: hostEndpoints().registry },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 60_000,
  });
}

/** Repositories and their tags in the registry (its HTTP API). */
export async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${hostEndpoints().registry}/v2/${repository}/tags/list`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}
