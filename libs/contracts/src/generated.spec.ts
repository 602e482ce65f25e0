import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The generated types are committed so that editors and the build need no extra step; this test
// keeps them from drifting away from proto/ (run `npm run proto:gen` after editing a .proto).
describe('generated proto types', () => {
  it('match what proto-gen produces from proto/ today', () => {
    const root = join(__dirname, '../../..');
    const fresh = mkdtempSync(join(tmpdir(), 'proto-gen-'));
    execFileSync(process.execPath, ['scripts/proto-gen.ts', '--out', fresh], {
      cwd: root,
      stdio: 'ignore',
    });
    const committed = join(__dirname, 'generated');
    const files = readdirSync(fresh, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(0);
    expect(
      readdirSync(committed, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .sort(),
    ).toEqual(files.sort());
    for (const file of files) {
      expect(readFileSync(join(committed, file), 'utf8')).toBe(
        readFileSync(join(fresh, file), 'utf8'),
      );
    }
  });
});
