import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CHECK = join(__dirname, 'check-node.cjs');

/** Runs the check as npm's pre-scripts do, on a Node that reports `version`. */
function check(version: string) {
  const code = `Object.defineProperty(process.versions, 'node', { value: '${version}' }); require(${JSON.stringify(CHECK)});`;
  return spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 10_000 });
}

describe('check-node.cjs (before npm ci, npm start, npm test)', () => {
  it('refuses an old Node with one line naming its version and how to get the right one', () => {
    const result = check('20.20.2');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Node 20\.20\.2 \(.+\) is too old for this project: it needs Node >=22\.18 /,
    );
    expect(lines[0]).toContain('source scripts/bootstrap.sh');
  });

  it.each(['22.17.1', '18.20.0'])('refuses Node %s', (version) => {
    expect(check(version).status).toBe(1);
  });

  it.each(['22.18.0', '24.21.0', '25.0.0'])('accepts Node %s silently', (version) => {
    const result = check(version);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
