import type { z } from 'zod';
import type { RouteFile, RouteFileRoute, RouteFileUpstream } from './route-file-fields';
import { REFUSED_FILTER_HEADERS } from './route-filter-headers';
import { PATH_KINDS, pathMatchOf, pathShape } from './route-path';

type Path = (string | number)[];

const HTTP_ONLY = ['urls', 'rewrite', 'headers', 'preserveHost'] as const;
const GRPC_ONLY = ['target', 'protos', 'httpRulesFromProtos'] as const;

/**
 * The rules between fields of the route file, which no single field's schema can check: every
 * route names an existing upstream, names are unique, no two routes take the same requests (the
 * same method, path shape, host, headers and query), and fields of one kind of upstream appear
 * only on that kind. Each issue's path names the field.
 */
export function checkRouteFile(file: RouteFile, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  for (const [name, upstream] of Object.entries(file.upstreams))
    checkUpstream(upstream, (path, message) => issue(['upstreams', name, ...path], message));

  const names = new Map<string, number>();
  const matched = new Map<string, number>();
  file.routes.forEach((route, index) => {
    const at = (...path: Path) => ['routes', index, ...path];
    const first = names.get(route.name);
    if (first === undefined) names.set(route.name, index);
    else issue(at('name'), `"${route.name}" is also the name of routes[${first}]`);

    const answers = (['upstream', 'backends', 'redirect', 'respond'] as const).filter(
      (field) => route[field] !== undefined,
    );
    if (answers.length === 0)
      issue(at('upstream'), 'required unless backends, redirect or respond is given');
    else if (answers.length > 1)
      issue(
        at(answers[1]),
        `a route has one of upstream, backends, redirect, respond (not ${answers.join(' and ')})`,
      );
    else if (route.backends !== undefined) {
      route.backends.forEach((backend, i) => {
        if ((backend.upstream === undefined) === (backend.respond === undefined)) {
          issue(at('backends', i), 'a share has one of upstream, respond');
          return;
        }
        if (backend.upstream === undefined) {
          // The gateway's own error answer: nothing of it is edited.
          for (const field of ['requestHeaders', 'responseHeaders'] as const)
            if (backend[field] !== undefined)
              issue(at('backends', i, field), 'not on a respond share: it calls no upstream');
          return;
        }
        const upstream = file.upstreams[backend.upstream];
        if (upstream === undefined)
          issue(at('backends', i, 'upstream'), `no upstream named "${backend.upstream}"`);
        else if (upstream.kind !== 'http')
          issue(
            at('backends', i, 'upstream'),
            `only http upstreams share a route ("${backend.upstream}" is ${upstream.kind})`,
          );
      });
      route.backends.forEach((backend, i) => {
        for (const field of ['requestHeaders', 'responseHeaders'] as const) {
          const edits = backend[field];
          if (edits === undefined) continue;
          checkHeaderEdits(edits, (path, message) =>
            issue(at('backends', i, field, ...path), message),
          );
          const routes = editedNames(route[field]);
          for (const name of editedNames(edits))
            if (routes.has(name))
              issue(
                at('backends', i, field),
                `"${name}" is also edited by the route's ${field}: one of them edits a header`,
              );
        }
      });
      if (route.backends.every((backend) => backend.upstream === undefined))
        issue(
          at('backends'),
          'at least one upstream: a route answered by the gateway alone is a respond route',
        );
      if (route.backends.every((backend) => backend.weight === 0))
        issue(at('backends'), 'at least one weight above 0: otherwise no request has a backend');
      if (route.grpc !== undefined) issue(at('grpc'), 'only for routes to a grpc upstream');
    } else if (route.upstream === undefined) {
      checkRedirectRoute(route, (path, message) => issue(at(...path), message));
    } else {
      const upstream = file.upstreams[route.upstream];
      if (upstream === undefined) issue(at('upstream'), `no upstream named "${route.upstream}"`);
      else if (upstream.kind === 'grpc' && route.grpc === undefined)
        issue(at('grpc'), `required: "${route.upstream}" is a grpc upstream`);
      else if (upstream.kind === 'http' && route.grpc !== undefined)
        issue(at('grpc'), `only for routes to a grpc upstream ("${route.upstream}" is http)`);
      else if (upstream.kind === 'grpc' && route.requestHeaders !== undefined)
        issue(
          at('requestHeaders'),
          `only for routes to an http upstream ("${route.upstream}" is grpc: its calls carry no request headers)`,
        );
      else if (upstream.kind === 'grpc' && route.rewrite !== undefined)
        issue(
          at('rewrite'),
          `only for routes to an http upstream ("${route.upstream}" is grpc: the method is the path)`,
        );
    }
    if (route.rewrite?.path?.prefix !== undefined && route.match.path.prefix === undefined)
      issue(at('rewrite', 'path', 'prefix'), 'only on a route whose match.path is a prefix');
    for (const field of ['requestHeaders', 'responseHeaders'] as const)
      checkHeaderEdits(route[field] ?? {}, (path, message) => issue(at(field, ...path), message));

    if (route.auth?.scopes?.length && route.auth.scheme !== 'jwt')
      issue(at('auth', 'scopes'), `only with scheme jwt (got ${route.auth.scheme})`);

    const headers = Object.keys(route.match.headers ?? {});
    headers.forEach((header, i) => {
      const lower = header.toLowerCase();
      if (lower === 'host') issue(at('match', 'headers', header), 'match the host with hosts');
      else if (headers.slice(0, i).some((other) => other.toLowerCase() === lower))
        issue(at('match', 'headers', header), `"${lower}" is given twice (names ignore case)`);
    });

    // Requests taken by two routes: the same method, path shape, host and conditions. Routes
    // that differ by their conditions are tried in order (route-file-order.ts).
    const kind = PATH_KINDS.find((k) => route.match.path[k] !== undefined);
    if (kind === undefined) return;
    const shape = pathShape(pathMatchOf(kind, route.match.path[kind] ?? ''));
    const conditions = conditionsOf(route.match);
    const hosts = route.match.hosts?.length ? route.match.hosts : ['*'];
    // A route of no scheme takes the requests of both.
    const schemes = route.match.scheme ? [route.match.scheme] : ['http', 'https'];
    for (const method of new Set(route.match.methods))
      for (const host of new Set(hosts.map((h) => h.toLowerCase())))
        for (const scheme of schemes) {
          const key = `${method} ${shape} ${host} ${scheme} ${JSON.stringify(conditions)}`;
          const other = matched.get(key);
          if (other === undefined) matched.set(key, index);
          else if (other !== index) {
            const where = host === '*' ? 'any host' : `host ${host}`;
            const when = conditions.length === 0 ? '' : ` with the same headers and query`;
            issue(
              at('match'),
              `${method} ${kind} ${route.match.path[kind]} (${where})${when} is already routed by routes[${other}] "${file.routes[other].name}"`,
            );
            return;
          }
        }
  });
}

/** A route's header (names lower case) and query conditions, in one canonical order. */
function conditionsOf(match: RouteFileRoute['match']): string[] {
  const headers = Object.entries(match.headers ?? {}).map(
    ([name, value]) => `header ${name.toLowerCase()}=${value}`,
  );
  const query = Object.entries(match.query ?? {}).map(([name, value]) => `query ${name}=${value}`);
  return [...headers, ...query].sort();
}

/** A redirect or respond route calls nothing: the fields of a call have no meaning on it. */
function checkRedirectRoute(
  route: RouteFileRoute,
  issue: (path: Path, message: string) => void,
): void {
  for (const field of ['grpc', 'rewrite', 'requestHeaders', 'timeoutMs', 'retry'] as const)
    if (route[field] !== undefined)
      issue(
        [field],
        `not on a ${route.redirect ? 'redirect' : 'respond'} route: it calls no upstream`,
      );
  if (route.redirect?.path?.prefix !== undefined && route.match.path.prefix === undefined)
    issue(['redirect', 'path', 'prefix'], 'only on a route whose match.path is a prefix');
}

/**
 * A route's header edits: no header the gateway owns (route-filter-headers.ts), and a name in one
 * list only - the lists apply in an order, but one name in two of them reads as a mistake.
 */
/** The header names a set of edits touches, lower case. */
function editedNames(
  edits:
    { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } | undefined,
): Set<string> {
  return new Set(
    [
      ...Object.keys(edits?.set ?? {}),
      ...Object.keys(edits?.add ?? {}),
      ...(edits?.remove ?? []),
    ].map((name) => name.toLowerCase()),
  );
}

function checkHeaderEdits(
  edits: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] },
  issue: (path: Path, message: string) => void,
): void {
  const seen = new Map<string, string>();
  const names: [Path, string, string][] = [
    ...Object.keys(edits.set ?? {}).map((name): [Path, string, string] => [
      ['set', name],
      name,
      'set',
    ]),
    ...Object.keys(edits.add ?? {}).map((name): [Path, string, string] => [
      ['add', name],
      name,
      'add',
    ]),
    ...(edits.remove ?? []).map((name, i): [Path, string, string] => [
      ['remove', i],
      name,
      'remove',
    ]),
  ];
  for (const [path, name, list] of names) {
    const lower = name.toLowerCase();
    const refused = REFUSED_FILTER_HEADERS.get(lower);
    const other = seen.get(lower);
    if (refused !== undefined) issue(path, `"${lower}" may not be edited: ${refused}`);
    else if (other !== undefined)
      issue(path, `"${lower}" is also in ${other} (names ignore case; one list per name)`);
    seen.set(lower, list);
  }
}

function checkUpstream(upstream: RouteFileUpstream, issue: (path: Path, message: string) => void) {
  const [own, foreign, other] =
    upstream.kind === 'http'
      ? ([['urls'], GRPC_ONLY, 'grpc'] as const)
      : ([['target', 'protos'], HTTP_ONLY, 'http'] as const);
  for (const field of own)
    if (upstream[field] === undefined) issue([field], `required for ${upstream.kind} upstreams`);
  for (const field of foreign)
    if (upstream[field] !== undefined) issue([field], `only for ${other} upstreams`);
  checkHeaders(upstream.headers ?? {}, (path, message) => issue(['headers', ...path], message));
  // grpc-js has no connect timeout and the HTTP client no pings (docs/traffic.md): accepting
  // them would promise what is not done.
  if (upstream.kind === 'grpc' && upstream.traffic?.connectTimeoutMs !== undefined)
    issue(['traffic', 'connectTimeoutMs'], 'only for http upstreams');
  if (upstream.kind === 'http' && upstream.traffic?.keepalive !== undefined)
    issue(['traffic', 'keepalive'], 'only for grpc upstreams');
  const outlier = upstream.traffic?.outlier;
  if (
    outlier?.baseEjectionMs !== undefined &&
    outlier.maxEjectionMs !== undefined &&
    outlier.maxEjectionMs < outlier.baseEjectionMs
  )
    issue(['traffic', 'outlier', 'maxEjectionMs'], 'must be at least baseEjectionMs');
}

// Set by the gateway on every call (the upstream's name, the body's framing, the request id):
// a route file changing them would break the call or its tracing.
const MANAGED_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'x-request-id',
];

function checkHeaders(
  headers: { add?: Record<string, string>; remove?: string[] },
  issue: (path: Path, message: string) => void,
) {
  const seen = new Set<string>();
  for (const name of Object.keys(headers.add ?? {})) {
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.includes(lower)) issue(['add', name], `"${lower}" is set by the gateway`);
    else if (seen.has(lower)) issue(['add', name], `"${lower}" is given twice (names ignore case)`);
    seen.add(lower);
  }
  (headers.remove ?? []).forEach((name, i) => {
    const lower = name.toLowerCase();
    if (MANAGED_HEADERS.includes(lower)) issue(['remove', i], `"${lower}" is set by the gateway`);
    else if (seen.has(lower)) issue(['remove', i], `"${lower}" is also added`);
  });
}
