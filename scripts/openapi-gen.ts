// Writes docs/openapi.json: the OpenAPI document a gateway with the default configuration serves
// (generated from the request schemas in libs/contracts), fetched from the built gateway itself.
// Usage: node scripts/openapi-gen.ts   (builds first if any source is newer than dist/)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { isBuildStale, build } from './build.ts';
import { AppProcess, LOCAL_PORTS, randomLoopbackNet, repoRoot } from '../process-topology/index.ts';

export const OPENAPI_DOC = 'docs/openapi.json';

/** The document as the gateway serves it, from a gateway started for the purpose. */
export async function servedOpenApi(env: Record<string, string> = {}): Promise<string> {
  const gateway = new AppProcess({
    app: 'gateway',
    name: 'gateway#openapi',
    host: `${randomLoopbackNet()}.31`,
    ...LOCAL_PORTS.gateway,
    env,
  });
  gateway.start();
  try {
    await gateway.waitReady();
    const response = await fetch(`http://${gateway.address}/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
    return `${JSON.stringify(await response.json(), null, 2)}\n`;
  } finally {
    await gateway.stop();
  }
}

if (process.argv[1]?.endsWith('openapi-gen.ts')) {
  const root = repoRoot();
  if (isBuildStale(root)) build(root);
  // Formatted as `npm run lint` wants it; the test compares the parsed documents.
  writeFileSync(join(root, OPENAPI_DOC), await format(await servedOpenApi(), { parser: 'json' }));
  process.stdout.write(`wrote ${OPENAPI_DOC}\n`);
}
