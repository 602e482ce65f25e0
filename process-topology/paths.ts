import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The deployable apps, in start order (backends before the gateway). */
export const APPS = ['webapp-1', 'rpc-app-1', 'gateway'] as const;
export type AppName = (typeof APPS)[number];

/** The repository root: the nearest folder above the working directory with nest-cli.json. */
export function repoRoot(from: string = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nest-cli.json above ${from}`);
  }
}

export function appEntry(app: AppName, root: string = repoRoot()): string {
  return join(root, 'dist/apps', app, 'main.js');
}
