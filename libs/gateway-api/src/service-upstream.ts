import type { ObjectRef } from './gateway-api-model';

/** A backendRef resolved to one port of a Service. */
export type ServicePort = ObjectRef & { readonly port: number };

/**
 * The upstream of a Service port in a table built from the Gateway API: one per port, shared by
 * every route sending to it, named after it so that equal translations give equal tables.
 */
export function serviceUpstreamName(service: ServicePort): string {
  return `${service.namespace}/${service.name}:${service.port}`;
}

/**
 * Where the upstream of a Service port sends its calls: each of its ready endpoints (from its
 * EndpointSlices, `address:port`), so the gateway balances every request over the pods itself,
 * with its own ejection and retries - as it does over a headless Service's DNS answers - whatever
 * the Service's type (a ClusterIP would leave it one address, balanced per connection by
 * kube-proxy; a Service with hand-written EndpointSlices has no DNS answer per pod). With no ready
 * endpoint, the Service's cluster DNS name: the cluster answers for it (a ClusterIP without
 * endpoints refuses the connection, a headless name has no address), and the gateway 503s.
 * docs/adr/0011-gateway-api.md, "Backends".
 */
export function serviceUpstreamUrls(service: ServicePort, endpoints: readonly string[]): string[] {
  if (endpoints.length === 0)
    return [`http://${service.name}.${service.namespace}.svc.cluster.local:${service.port}`];
  return endpoints.map((endpoint) => `http://${endpoint}`);
}
