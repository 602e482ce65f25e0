/**
 * The Gateway API features this gateway serves (the conformance suite's names), as a GatewayClass's
 * `status.supportedFeatures` says them to users, tools and the suite, which runs the tests of
 * exactly these when not told otherwise (test/cluster/gateway-api-conformance.cluster-spec.ts
 * checks that every one of them passes). Those that need a part of the gateway turned on are
 * listed only with it. Not served yet: mirrors, retries, CORS, WebSocket and h2c backends of
 * HTTPRoutes, client certificates, Gateway infrastructure metadata and static addresses.
 */
const ALWAYS = [
  'Gateway',
  'HTTPRoute',
  'ReferenceGrant',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRoutePortRedirect',
  'HTTPRouteSchemeRedirect',
  'HTTPRoutePathRedirect',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteHostRewrite',
  'HTTPRoutePathRewrite',
  'HTTPRouteRequestTimeout',
  'HTTPRouteBackendTimeout',
  'HTTPRouteNamedRouteRule',
  // Listeners of one port each serve only their routes (route-matcher.ts, Route.listenerHost).
  'GatewayHTTPListenerIsolation',
];
/** GRPCRoutes passed through over h2c (translate.ts's `grpc` option). */
const GRPC = ['GRPCRoute', 'GRPCRouteNamedRouteRule'];
/** A listener per (Gateway, port), a Service per Gateway (translate.ts's `gatewayAddresses`). */
const GATEWAY_ADDRESSES = ['GatewayPort8080', 'HTTPRouteParentRefPort'];

/** Sorted by name, as the field must be. */
export function supportedFeatures(
  options: { readonly grpc?: boolean; readonly gatewayAddresses?: boolean } = {},
): string[] {
  return [
    ...ALWAYS,
    ...(options.grpc ? GRPC : []),
    ...(options.gatewayAddresses ? GATEWAY_ADDRESSES : []),
  ].sort();
}
