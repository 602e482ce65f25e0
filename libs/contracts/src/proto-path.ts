import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Absolute path of a file under the repository's proto/ folder. Found by walking up from this
 * module, so it works from sources (tests), from the webpack bundle in dist/apps/<app>/ and from a
 * container image that keeps proto/ next to dist/.
 */
export function protoPath(file: string, from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto', file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`proto/${file} not found above ${from}`);
  }
}
