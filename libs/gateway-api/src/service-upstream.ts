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
 * Where the upstream of a Service port sends its calls: for now the Service's cluster DNS name,
 * resolved like any http upstream's URL. The one place the EndpointSlice source of
 * docs/adr/0011-gateway-api.md (item 5, `service` upstreams) replaces: the translation's
 * `endpoints` lists are what it will feed the balancer with instead.
 */
export function serviceUpstreamUrl(service: ServicePort): string {
  return `http://${service.name}.${service.namespace}.svc.cluster.local:${service.port}`;
}
