// Builds the three apps into dist/apps/<app>/main.js with the Nest CLI (webpack, monorepo mode).
// Usage: node scripts/build.ts [--if-stale]   (--if-stale: skip when dist is newer than every source)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, repoRoot } from '../process-topology/paths.ts';

const SOURCES = ['apps', 'libs', 'proto', 'package-lock.json', 'nest-cli.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  }
  return newest;
}

export function isBuildStale(root: string = repoRoot()): boolean {
  const built = Math.min(
    ...APPS.map((app) => newestMtime(join(root, 'dist/apps', app, 'main.js'))),
  );
  const sources = Math.max(...SOURCES.map((source) => newestMtime(join(root, source))));
  return built === 0 || sources > built;
}

export function build(root: string = repoRoot()): void {
  for (const app of APPS) {
    process.stderr.write(`building ${app} ...\n`);
    execFileSync(join(root, 'node_modules/.bin/nest'), ['build', app], {
      cwd: root,
      stdio: ['ignore', process.stderr, 'inherit'],
    });
    // webpack leaves an unchanged bundle untouched; mark it built now, or a source edit that does
    // not change the bundle (a spec, a comment) would make every later run rebuild.
    const now = new Date();
    utimesSync(join(root, 'dist/apps', app, 'main.js'), now, now);
  }
}

if (process.argv[1]?.endsWith('build.ts')) {
  if (process.argv.includes('--if-stale') && !isBuildStale()) {
    process.stdout.write('build is up to date\n');
  } else {
    build();
  }
}
