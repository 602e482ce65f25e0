import { type BackendIndex, backendIndex } from './backend-references';
import type { GatewayApiSnapshot, GRPCRoute, GRPCRouteMatch } from './gateway-api-objects';
import type { ServedMatch } from './gateway-api-model';
import { translateFilters } from './route-filters';
import {
  exactPairs,
  ruleBackends,
  type RouteRulesTranslation,
  rulesTranslation,
} from './route-rules';

/** GRPCRoute rules have no timeouts: the gateway's own. */
const NO_TIMEOUTS = { requestMs: null, backendRequestMs: null } as const;

/**
 * Translates the rules of one GRPCRoute as route-rules.ts does an HTTPRoute's: every rule x match
 * (no match: every gRPC request) a served match, with the rule's filters and weighted backends
 * (resolved as an HTTPRoute's, ReferenceGrants `from` GRPCRoute). gRPC is HTTP/2 POSTs of
 * `/<service>/<method>`, so a match is one on the path - Exact `/<service>/<method>` with both,
 * Prefix `/<service>/` with the service only, Prefix `/` with neither - the method POST, and the
 * headers; `protocol: 'grpc'` tells the data plane it takes HTTP/2. Refused as a whole
 * (UnsupportedValue): RegularExpression method or header matches, a method without a service (no
 * path match expresses `/*\/<method>`), filters other than the two header modifiers.
 */
export function translateGrpcRouteRules(
  route: GRPCRoute,
  snapshot: Pick<GatewayApiSnapshot, 'referenceGrants' | 'services' | 'endpointSlices'>,
  index: BackendIndex = backendIndex(snapshot),
): RouteRulesTranslation {
  const ns = route.metadata.namespace;
  return rulesTranslation(route.spec.rules ?? [{}], (rule, ruleIndex, sink) => {
    // GRPCRouteFilter's types are a subset of HTTPRouteFilter's: translateFilters takes the two
    // header modifiers and refuses RequestMirror and ExtensionRef as it does on an HTTPRoute.
    const filters = translateFilters(rule.filters);
    if (!filters.ok) {
      sink.refuse(`rule ${ruleIndex}: ${filters.message}`);
      return;
    }
    const backends = ruleBackends(
      rule.backendRefs,
      ruleIndex,
      ns,
      snapshot,
      index,
      'GRPCRoute',
      sink,
    );
    const ruleMatches: readonly GRPCRouteMatch[] =
      rule.matches === undefined || rule.matches.length === 0 ? [{}] : rule.matches;
    ruleMatches.forEach((match, matchIndex) => {
      const path = grpcPath(match);
      if (!path.ok) {
        sink.refuse(`rule ${ruleIndex} match ${matchIndex}: ${path.message}`);
        return;
      }
      sink.served({
        source: {
          namespace: ns,
          route: route.metadata.name,
          creationTimestamp: route.metadata.creationTimestamp ?? '',
          rule: ruleIndex,
          match: matchIndex,
          ruleName: rule.name ?? null,
          kind: 'GRPCRoute',
        },
        protocol: 'grpc',
        path: path.path,
        method: 'POST',
        headers: exactPairs(match.headers, true),
        queryParams: [],
        filters: filters.filters,
        backends,
        timeouts: NO_TIMEOUTS,
      });
    });
  });
}

/** The path match of one GRPCRouteMatch, or why the model cannot serve it. */
export function grpcPath(
  match: GRPCRouteMatch,
):
  | { readonly ok: true; readonly path: ServedMatch['path'] }
  | { readonly ok: false; readonly message: string } {
  if ((match.headers ?? []).some((h) => h.type === 'RegularExpression'))
    return { ok: false, message: 'RegularExpression header matches are not supported' };
  const method = match.method;
  if (method === undefined) return { ok: true, path: { kind: 'prefix', value: '/' } };
  if (method.type === 'RegularExpression')
    return { ok: false, message: 'RegularExpression method matches are not supported' };
  const service = method.service ?? '';
  const name = method.method ?? '';
  if (service === '' && name === '')
    return { ok: false, message: 'a method match needs a service or a method' };
  if (service === '')
    return { ok: false, message: 'method matches without a service are not supported' };
  return name === ''
    ? { ok: true, path: { kind: 'prefix', value: `/${service}/` } }
    : { ok: true, path: { kind: 'exact', value: `/${service}/${name}` } };
}
