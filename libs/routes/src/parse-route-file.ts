import { ConfigError } from '@app/env';
import { parseDocument } from 'yaml';
import { protoProblems } from './proto-checks';
import type { RouteDefaults } from './route-defaults';
import { issueLines } from './route-file-errors';
import { routeFileSchema } from './route-file-schema';
import type { RouteTable } from './route-model';
import { createRouteTable, type RouteTableContent } from './route-table';
import { routeTableContentFromFile } from './route-table-from-file';

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
  if (raw === null) throw new ConfigError(`${source.name}: the file is empty`);
  return parseRouteFileValue(raw, source, defaults);
}

/**
 * The table of a route file already parsed into a value (what its YAML or JSON holds), by the
 * file's schema, checks and builder: for sources that hold the file's shape as data rather than
 * text, such as the Gateway API's (libs/gateway-api). Throws a ConfigError with one line per
 * problem.
 */
export function parseRouteFileValue(
  raw: unknown,
  source: RouteFileSource,
  defaults: RouteDefaults,
): RouteTable {
  return createRouteTable(parseRouteFileContent(raw, source, defaults));
}

/**
 * What parseRouteFileValue makes its table of, neither sorted nor versioned: for a source that
 * puts many files into one table (libs/gateway-api, a file per match), where a version per file
 * would be a hash computed and thrown away.
 */
export function parseRouteFileContent(
  raw: unknown,
  source: RouteFileSource,
  defaults: RouteDefaults,
): RouteTableContent {
  const result = routeFileSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(issueLines(source.name, result.error.issues, raw).join('\n'));
  const problems = protoProblems(result.data, source.name, source.baseDir);
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return routeTableContentFromFile(result.data, defaults, source.baseDir, source.name);
}
