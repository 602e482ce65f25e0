import { ConfigError } from '@app/env';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { RouteDefaults } from './route-defaults';
import { issueLines } from './route-file-errors';
import { routeFileSchema } from './route-file-schema';
import type { RouteTable } from './route-model';
import { routeTableFromFile } from './route-table-from-file';

export interface RouteFileSource {
  /** Names the file in every error line, e.g. its path. */
  name: string;
  /** Directory relative .proto paths are resolved against: the file's own. */
  baseDir: string;
}

/**
 * The table of a route file's content (YAML, or JSON - which YAML includes), for the loader and
 * for a reload that already holds the content. Throws a ConfigError with one line per problem.
 */
export function parseRouteFile(
  content: string,
  source: RouteFileSource,
  defaults: RouteDefaults,
): RouteTable {
  // Duplicate keys are errors (the YAML default), in JSON too: the later one would win silently.
  const document = parseDocument(content);
  if (document.errors.length > 0)
    throw new ConfigError(
      document.errors
        .map((error) => {
          const at = error.linePos?.[0];
          const where = at ? `line ${at.line}, column ${at.col}: ` : '';
          const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:$/, '');
          return `${source.name}: ${where}${message}`;
        })
        .join('\n'),
    );
  const raw: unknown = document.toJS();
  const result = routeFileSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(issueLines(source.name, result.error.issues, raw).join('\n'));
  const missing = missingProtos(result.data.upstreams, source);
  if (missing.length > 0) throw new ConfigError(missing.join('\n'));
  return routeTableFromFile(result.data, defaults, source.baseDir);
}

function missingProtos(
  upstreams: Record<string, { protos?: string[] }>,
  source: RouteFileSource,
): string[] {
  return Object.entries(upstreams).flatMap(([name, upstream]) =>
    (upstream.protos ?? []).flatMap((proto, i) => {
      const path = isAbsolute(proto) ? proto : resolve(source.baseDir, proto);
      return existsSync(path)
        ? []
        : [`${source.name}: upstreams ${JSON.stringify(name)}: protos[${i}]: no such file ${path}`];
    }),
  );
}
