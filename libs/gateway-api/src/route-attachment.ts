import {
  GATEWAY_API_GROUP,
  type Gateway,
  type Listener,
  type Namespace,
  type RouteGroupKind,
} from './gateway-api-objects';
import { selectorMatches } from './label-selector';

/**
 * The route kinds this implementation serves per listener protocol. HTTPS only when the gateway
 * terminates TLS (`https`, translate.ts TranslateOptions): it then serves HTTPRoutes as on HTTP.
 * GRPCRoute only with `grpc` (TranslateOptions): the spec requires h2c on an HTTP listener and
 * HTTP/2 by ALPN on an HTTPS one of every listener that lists it, which the data plane provides
 * (h2c-listener.ts; tls-termination.ts answers `h2` to clients that offer only it, as gRPC
 * clients do; docs/adr/0011-gateway-api.md, "GRPCRoute").
 */
const KINDS_BY_PROTOCOL: Readonly<Record<string, readonly string[]>> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
};

function servedKinds(protocol: string, https: boolean, grpc: boolean): readonly string[] {
  if (protocol === 'HTTPS' && !https) return [];
  const kinds = KINDS_BY_PROTOCOL[protocol] ?? [];
  return grpc ? kinds : kinds.filter((k) => k !== 'GRPCRoute');
}

export function isSupportedProtocol(protocol: string, https = false): boolean {
  return servedKinds(protocol, https, false).length > 0;
}

/**
 * The kinds a listener admits (ListenerStatus `supportedKinds`) and those of its allowedRoutes
 * it cannot serve (ResolvedRefs False, InvalidRouteKinds). No kinds listed: all the protocol has.
 */
export function listenerKinds(
  listener: Listener,
  https = false,
  grpc = false,
): {
  supported: RouteGroupKind[];
  invalid: RouteGroupKind[];
} {
  const served = servedKinds(listener.protocol, https, grpc);
  const asked = listener.allowedRoutes?.kinds ?? [];
  if (asked.length === 0) {
    return { supported: served.map((kind) => ({ group: GATEWAY_API_GROUP, kind })), invalid: [] };
  }
  const supported: RouteGroupKind[] = [];
  const invalid: RouteGroupKind[] = [];
  for (const k of asked) {
    const group = k.group ?? GATEWAY_API_GROUP;
    (group === GATEWAY_API_GROUP && served.includes(k.kind) ? supported : invalid).push({
      group,
      kind: k.kind,
    });
  }
  return { supported, invalid };
}

/** Whether a listener's allowedRoutes admit a route of `kind` (group gateway.networking.k8s.io). */
export function kindAllowed(
  listener: Listener,
  kind: string,
  https = false,
  grpc = false,
): boolean {
  return listenerKinds(listener, https, grpc).supported.some((k) => k.kind === kind);
}

/**
 * Whether a listener's allowedRoutes.namespaces admit a route in `routeNamespace`: Same (the
 * default) the Gateway's own namespace, All any, Selector those whose labels match (a namespace
 * not in the snapshot matches nothing), None no route at all.
 */
export function namespaceAllowed(
  gateway: Gateway,
  listener: Listener,
  routeNamespace: string,
  namespaces: readonly Namespace[],
): boolean {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return routeNamespace === gateway.metadata.namespace;
    case 'Selector': {
      const selector = listener.allowedRoutes?.namespaces?.selector;
      if (selector === undefined) return false;
      const ns = namespaces.find((n) => n.metadata.name === routeNamespace);
      return ns !== undefined && selectorMatches(selector, ns.metadata.labels);
    }
    default:
      return false;
  }
}
