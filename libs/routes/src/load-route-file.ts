import { ConfigError } from '@app/env';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseRouteFile } from './parse-route-file';
import type { RouteDefaults } from './route-defaults';
import type { RouteTable } from './route-model';

/**
 * The table of the route file at `path` (ROUTES_FILE): YAML or JSON, fields left out taking
 * `defaults` (the gateway's global settings). Throws a ConfigError with one line per problem,
 * each naming the file as `path` names it.
 */
export function loadRouteFile(path: string, defaults: RouteDefaults): RouteTable {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the route file (${(err as Error).message})`);
  }
  return parseRouteFile(content, { name: path, baseDir: dirname(resolve(path)) }, defaults);
}
