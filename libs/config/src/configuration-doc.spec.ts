import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayEnv, rpcAppEnv, webappEnv } from '@app/config';

// docs/configuration.md's table is the user-facing copy of the env schema: keep them in step.
describe('configuration reference (docs/configuration.md)', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  const table = doc.split('<!-- config-table:start')[1]?.split('<!-- config-table:end')[0] ?? '';
  const documented = new Set([...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

  it('documents every variable of the schema, and nothing else', () => {
    const schema = new Set([gatewayEnv, webappEnv, rpcAppEnv].flatMap((s) => Object.keys(s.shape)));
    expect([...documented].sort()).toEqual([...schema].sort());
  });
});
