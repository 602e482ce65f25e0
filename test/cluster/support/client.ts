// The cluster tests' HTTP client, with a short idle keep-alive timeout (1 s, the gateway's drain
// delay). With fetch's default pool an idle connection can be reused at the very moment the server
// closes it - when its 65 s keep-alive runs out (timers run late on this loaded 2-core machine) or
// when a draining gateway pod closes its listener - and that POST is lost to a race between two idle
// timers. Clients that keep connections idle longer than a gateway's drain delay can see that reset
// during rollouts (docs/operations.md, "Graceful shutdown").
import { Agent } from 'undici';

export const client = new Agent({ keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
