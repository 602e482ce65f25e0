import { RouteReason } from './gateway-api-conditions';
import type {
  GatewayApiSnapshot,
  GRPCBackendRef,
  HTTPBackendRef,
  HTTPRoute,
  HTTPRouteMatch,
  RouteKind,
} from './gateway-api-objects';
import type { NameValue, ServedMatch, WeightedBackend } from './gateway-api-model';
import { type BackendIndex, backendIndex, resolveBackendRef } from './backend-references';
import { translateFilters } from './route-filters';
import { translateTimeouts } from './route-timeouts';

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
  readonly message: string;
}

export interface RouteRulesTranslation {
  /** Not ok (UnsupportedValue): the route is refused on every parent and serves nothing. */
  readonly accepted: Verdict;
  /** The first backendRef that did not resolve, or ResolvedRefs. */
  readonly resolvedRefs: Verdict;
  /** Its matches, before they are placed under a listener's virtual hosts. */
  readonly matches: readonly ServedMatch[];
}

/**
 * Translates the rules of one HTTPRoute, independent of the listeners it attaches to: every rule
 * x match (the default match when a rule has none: PathPrefix `/`) with the rule's filters and
 * weighted backends. Refused as a whole (UnsupportedValue) for what the model cannot serve:
 * RegularExpression path, header or query matches, filters other than the four supported.
 * Backends that do not resolve stay in the model as `invalid` (their share answered 500) and set
 * ResolvedRefs False with the first failing reference's reason.
 */
export function translateRouteRules(
  route: HTTPRoute,
  snapshot: Pick<GatewayApiSnapshot, 'referenceGrants' | 'services' | 'endpointSlices'>,
  index: BackendIndex = backendIndex(snapshot),
): RouteRulesTranslation {
  const ns = route.metadata.namespace;
  return rulesTranslation(route.spec.rules ?? [{}], (rule, ruleIndex, sink) => {
    const filters = translateFilters(rule.filters);
    if (!filters.ok) {
      sink.refuse(`rule ${ruleIndex}: ${filters.message}`);
      return;
    }
    const timeouts = translateTimeouts(rule.timeouts);
    if (!timeouts.ok) {
      sink.refuse(`rule ${ruleIndex}: ${timeouts.message}`);
      return;
    }
    const backends = ruleBackends(
      rule.backendRefs,
      ruleIndex,
      ns,
      snapshot,
      index,
      'HTTPRoute',
      sink,
    );
    const ruleMatches: readonly HTTPRouteMatch[] =
      rule.matches === undefined || rule.matches.length === 0 ? [{}] : rule.matches;
    ruleMatches.forEach((match, matchIndex) => {
      const problem = unsupportedMatch(match);
      if (problem !== null) {
        sink.refuse(`rule ${ruleIndex} match ${matchIndex}: ${problem}`);
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
        },
        path: {
          kind: match.path?.type === 'Exact' ? 'exact' : 'prefix',
          value: match.path?.value ?? '/',
        },
        method: match.method ?? null,
        headers: exactPairs(match.headers, true),
        queryParams: exactPairs(match.queryParams, false),
        filters: filters.filters,
        backends,
        timeouts: timeouts.timeouts,
      });
    });
  });
}

/** What translating one rule reports: a refusal of the whole route, an unresolved backendRef, a served match. */
export interface RuleSink {
  refuse(message: string): void;
  unresolved(verdict: Verdict): void;
  served(match: ServedMatch): void;
}

/**
 * The verdicts of a route's rules, as HTTPRoute and GRPCRoute share them: `eachRule` translates
 * one rule into `sink` calls. The first refusal refuses the route as a whole (UnsupportedValue,
 * nothing served); the first unresolved backendRef sets ResolvedRefs False with its reason.
 */
export function rulesTranslation<R>(
  rules: readonly R[],
  eachRule: (rule: R, ruleIndex: number, sink: RuleSink) => void,
): RouteRulesTranslation {
  const matches: ServedMatch[] = [];
  let resolvedRefs: Verdict = {
    ok: true,
    reason: RouteReason.ResolvedRefs,
    message: 'All references resolved',
  };
  let refused: Verdict | null = null;
  const sink: RuleSink = {
    refuse: (message) => {
      refused ??= { ok: false, reason: RouteReason.UnsupportedValue, message };
    },
    unresolved: (verdict) => {
      if (resolvedRefs.ok) resolvedRefs = verdict;
    },
    served: (match) => matches.push(match),
  };
  rules.forEach((rule, ruleIndex) => eachRule(rule, ruleIndex, sink));
  if (refused !== null) return { accepted: refused, resolvedRefs, matches: [] };
  return {
    accepted: { ok: true, reason: RouteReason.Accepted, message: 'Route is accepted' },
    resolvedRefs,
    matches,
  };
}

/**
 * The weighted backends of one rule (HTTPRoute or GRPCRoute): each backendRef resolved
 * (backend-references.ts), an unresolved one kept as `invalid` (its share answered 500) and
 * reported to `unresolved`; a backendRef filter other than a header modifier refuses the route.
 */
export function ruleBackends(
  refs: readonly (HTTPBackendRef | GRPCBackendRef)[] | undefined,
  ruleIndex: number,
  ns: string,
  snapshot: Pick<GatewayApiSnapshot, 'referenceGrants' | 'services' | 'endpointSlices'>,
  index: BackendIndex,
  routeKind: RouteKind,
  report: { refuse(message: string): void; unresolved(verdict: Verdict): void },
): WeightedBackend[] {
  const backends: WeightedBackend[] = [];
  for (const ref of refs ?? []) {
    const weight = ref.weight ?? 1;
    const resolved = resolveBackendRef(ref, ns, snapshot, index, routeKind);
    const own = translateFilters(ref.filters);
    if (!own.ok) {
      report.refuse(`rule ${ruleIndex}: backendRef ${ref.name}: ${own.message}`);
      continue;
    }
    if (own.filters.redirect !== null || own.filters.rewrite !== null) {
      report.refuse(
        `rule ${ruleIndex}: backendRef ${ref.name}: only header filters are supported on a backendRef`,
      );
      continue;
    }
    if (!resolved.ok) {
      report.unresolved({ ok: false, reason: resolved.reason, message: resolved.message });
      backends.push({ kind: 'invalid', weight, reason: resolved.message });
      continue;
    }
    backends.push({
      kind: 'service',
      weight,
      service: { namespace: resolved.namespace, name: resolved.name, port: resolved.port },
      endpoints: resolved.endpoints,
      requestHeaders: own.filters.requestHeaders,
      responseHeaders: own.filters.responseHeaders,
    });
  }
  return backends;
}

function unsupportedMatch(match: HTTPRouteMatch): string | null {
  if (match.path?.type === 'RegularExpression')
    return 'RegularExpression path matches are not supported';
  if ((match.headers ?? []).some((h) => h.type === 'RegularExpression'))
    return 'RegularExpression header matches are not supported';
  if ((match.queryParams ?? []).some((q) => q.type === 'RegularExpression'))
    return 'RegularExpression query parameter matches are not supported';
  return null;
}

/**
 * Header names compare without case; the spec keeps only the first of several matches on one
 * name (header) - query parameter names keep their case, and the first of a name also wins.
 */
export function exactPairs(
  list: readonly { readonly name: string; readonly value: string }[] | undefined,
  foldCase: boolean,
): NameValue[] {
  const seen = new Set<string>();
  const out: NameValue[] = [];
  for (const { name, value } of list ?? []) {
    const key = foldCase ? name.toLowerCase() : name;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: key, value });
  }
  return out;
}
