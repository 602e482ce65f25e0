// The cluster tests' HTTP client. Its idle keep-alive timeout (30 s) stays below the apps' 65 s
// (KEEP_ALIVE_TIMEOUT_MS), as the gateway's own upstream pool does, so the client gives an idle
// socket up first and never reuses one the server is closing. It is not shorter than that on
// purpose: a pod being replaced drains from its preStop hook on and ends each connection with an
// answer (`Connection: close`), so clients that keep connections idle for seconds lose nothing
// in rollouts (docs/operations.md, "Graceful shutdown"; test/cluster/keepalive.cluster-spec.ts).
import { Agent } from 'undici';

export const client = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000 });
