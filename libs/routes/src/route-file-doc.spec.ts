import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRouteFileDoc, ROUTE_FILE_DOC } from './route-file-doc';

// docs/route-file.md is the user-facing copy of the route file schema: keep them in step.
describe('route file reference (docs/route-file.md)', () => {
  const file = join(__dirname, '../../..', ROUTE_FILE_DOC);
  if (process.env.WRITE_DOCS === '1') writeFileSync(file, renderRouteFileDoc());

  it('is the one rendered from the schema', () => {
    expect(readFileSync(file, 'utf8')).toBe(renderRouteFileDoc());
  });

  it('documents every field with its type, whether it is required, and its meaning', () => {
    const doc = renderRouteFileDoc();
    expect(doc).toContain(
      '| `routes[].match.path.template` | string | no | Whole segments, `{name}` standing for any one segment, e.g. `/orders/{id}`. |',
    );
    expect(doc).toContain('| `upstreams.<name>.traffic.retry.maxAttempts` | integer 1-5 | no |');
    expect(doc).toContain('| `formatVersion` | `1` | yes |');
    // Every row has a meaning: a field without .describe() would leave its cell empty.
    const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.filter((row) => row.endsWith('|  |'))).toEqual([]);
  });
});
