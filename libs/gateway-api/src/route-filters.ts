import { RouteReason } from './gateway-api-conditions';
import type { HTTPHeaderFilter, HTTPPathModifier, HTTPRouteFilter } from './gateway-api-objects';
import type { HeaderModifier, PathModifier, RouteFilters } from './gateway-api-model';

export type FilterTranslation =
  | { readonly ok: true; readonly filters: RouteFilters }
  | { readonly ok: false; readonly reason: string; readonly message: string };

const NO_FILTERS: RouteFilters = {
  requestHeaders: null,
  responseHeaders: null,
  redirect: null,
  rewrite: null,
};

/**
 * The filters of a rule (or of a backendRef) this implementation applies: RequestHeaderModifier
 * and RequestRedirect (core), ResponseHeaderModifier and URLRewrite (extended). Any other type
 * (RequestMirror, CORS, ExternalAuth, ExtensionRef) refuses the route with UnsupportedValue: the
 * spec lets a route with a filter it cannot honour not be served, never served without it. The
 * CRD already refuses repeated filters and RequestRedirect together with URLRewrite.
 */
export function translateFilters(
  filters: readonly HTTPRouteFilter[] | undefined,
): FilterTranslation {
  let out: RouteFilters = NO_FILTERS;
  for (const filter of filters ?? []) {
    switch (filter.type) {
      case 'RequestHeaderModifier':
        out = { ...out, requestHeaders: headerModifier(filter.requestHeaderModifier) };
        break;
      case 'ResponseHeaderModifier':
        out = { ...out, responseHeaders: headerModifier(filter.responseHeaderModifier) };
        break;
      case 'RequestRedirect': {
        const r = filter.requestRedirect ?? {};
        out = {
          ...out,
          redirect: {
            scheme: r.scheme ?? null,
            hostname: r.hostname?.toLowerCase() ?? null,
            port: r.port ?? null,
            path: pathModifier(r.path),
            statusCode: r.statusCode ?? 302,
          },
        };
        break;
      }
      case 'URLRewrite': {
        const r = filter.urlRewrite ?? {};
        out = {
          ...out,
          rewrite: { hostname: r.hostname?.toLowerCase() ?? null, path: pathModifier(r.path) },
        };
        break;
      }
      default:
        return {
          ok: false,
          reason: RouteReason.UnsupportedValue,
          message: `filter type ${String(filter.type)} is not supported`,
        };
    }
  }
  return { ok: true, filters: out };
}

function headerModifier(filter: HTTPHeaderFilter | undefined): HeaderModifier {
  const pairs = (list: HTTPHeaderFilter['set']) =>
    (list ?? []).map(({ name, value }) => ({ name: name.toLowerCase(), value }));
  return {
    set: pairs(filter?.set),
    add: pairs(filter?.add),
    remove: (filter?.remove ?? []).map((name) => name.toLowerCase()),
  };
}

function pathModifier(path: HTTPPathModifier | undefined): PathModifier | null {
  if (path === undefined) return null;
  return path.type === 'ReplaceFullPath'
    ? { kind: 'full', path: path.replaceFullPath ?? '/' }
    : { kind: 'prefix', prefix: path.replacePrefixMatch ?? '/' };
}
