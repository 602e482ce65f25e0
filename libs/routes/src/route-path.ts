import type { PathMatch } from './route-model';

/**
 * Request paths as a route file writes them: `/`-separated segments of URL path characters, and in
 * templates `{name}` segments. One trailing slash is dropped, as the router ignores it.
 */

export const PATH_KINDS = ['exact', 'prefix', 'template'] as const;
export type PathKind = (typeof PATH_KINDS)[number];

// RFC 3986 pchar, percent-encodings included; no `{`, `}`, `?` or `#`.
const SEGMENT = /^(?:[\w.~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+$/;
const VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Why `path` is not a path of this kind, or undefined if it is one. */
export function pathProblem(path: string, kind: PathKind): string | undefined {
  if (!path.startsWith('/')) return 'expected a path starting with "/"';
  const segments = normalisePath(path).split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') return undefined;
  const variables: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..')
      return 'expected a path without empty, "." or ".." segments';
    const variable = VARIABLE.exec(segment)?.[1];
    if (variable !== undefined && kind === 'template') {
      if (variables.includes(variable)) return `variable {${variable}} appears twice`;
      variables.push(variable);
    } else if (!SEGMENT.test(segment))
      return kind === 'template'
        ? `expected URL path characters and whole-segment {variables} (bad segment "${segment}")`
        : `expected URL path characters (bad segment "${segment}")`;
  }
  if (kind === 'template' && variables.length === 0)
    return 'expected at least one {variable} (use exact for a fixed path)';
  return undefined;
}

/** Drops one trailing slash, except from `/` itself. */
export function normalisePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * A valid path of a kind, as the model holds it. A strict exact path keeps its trailing slash:
 * `/a/` is then another path than `/a`.
 */
export function pathMatchOf(
  kind: PathKind,
  path: string,
  trailingSlash: 'ignore' | 'strict' = 'ignore',
): PathMatch {
  const normal = normalisePath(path);
  if (kind === 'exact')
    return { kind, path: trailingSlash === 'strict' ? path : normal, trailingSlash };
  if (kind === 'prefix')
    return { kind, path: normal, ...(trailingSlash === 'strict' ? { trailingSlash } : {}) };
  const variables = normal
    .split('/')
    .map((segment) => VARIABLE.exec(segment)?.[1])
    .filter((variable) => variable !== undefined);
  return { kind, path: normal, variables };
}

/**
 * Paths that match the same requests have the same shape: templates differ only in names, and an
 * exact path, a template and an http-rule template that take the same paths are one shape. A
 * strict exact path is the shape of the path without its trailing slash: it takes part of what
 * the other takes.
 */
export function pathShape(match: PathMatch): string {
  if (match.kind === 'prefix') return `prefix ${match.path}`;
  if (match.kind === 'exact') return `path ${normalisePath(match.path)}`;
  if (match.kind === 'template') return `path ${match.path.replace(/\{[^}]*\}/g, '{}')}`;
  const { segments, verb } = httpRuleSegments(match.path);
  const shape = segments.map((s) => (s === '*' ? '{}' : s === '**' ? '{**}' : s));
  return `path /${shape.join('/')}${verb === undefined ? '' : `:${verb}`}`;
}

/**
 * The segments a valid `google.api.http` template matches - a literal, `*` (one segment) or `**`
 * (the rest) - with its variables expanded (`{name=shelves/*}` is `shelves`, `*`; `{id}` is `*`),
 * and its `:verb`. Only for templates libs/transcoding has parsed.
 */
export function httpRuleSegments(template: string): { segments: string[]; verb?: string } {
  let rest = template.slice(1);
  let verb: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && colon > rest.lastIndexOf('}')) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  // `{field=a/b}` -> `a/b`, `{field}` -> `*`: variables only name what their segments match.
  const expanded = rest.replace(
    /\{[^}=]*(?:=([^}]*))?\}/g,
    (_, inner: string | undefined) => inner ?? '*',
  );
  return { segments: expanded === '' ? [] : expanded.split('/'), verb };
}
