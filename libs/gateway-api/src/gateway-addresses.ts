import type { GatewayApiSnapshot, GatewayStatusAddress, Service } from './gateway-api-objects';

/**
 * Where a Service is reached: its load balancer's addresses once it has them, else its cluster IP
 * (none for a headless Service). These are what a Gateway's status.addresses say.
 */
export function serviceAddresses(service: Service): GatewayStatusAddress[] {
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  const balanced = ingress.flatMap((entry): GatewayStatusAddress[] =>
    entry.ip
      ? [{ type: 'IPAddress', value: entry.ip }]
      : entry.hostname
        ? [{ type: 'Hostname', value: entry.hostname }]
        : [],
  );
  if (balanced.length > 0) return balanced;
  const clusterIP = service.spec.clusterIP;
  return clusterIP && clusterIP !== 'None' ? [{ type: 'IPAddress', value: clusterIP }] : [];
}

/**
 * The snapshot with every Gateway's addresses those of the one Service in front of the gateway
 * pods (`namespace/name`): one shared data plane serves every Gateway of the class
 * (docs/adr/0011-gateway-api.md). Until that Service is listed, no Gateway has an address.
 */
export function withFrontServiceAddresses(
  snapshot: GatewayApiSnapshot,
  front: { readonly namespace: string; readonly name: string },
): GatewayApiSnapshot {
  const service = findService(snapshot.services, front);
  const addresses = service ? serviceAddresses(service) : [];
  return {
    ...snapshot,
    gatewayAddresses: Object.fromEntries(
      snapshot.gateways.map((g) => [`${g.metadata.namespace}/${g.metadata.name}`, addresses]),
    ),
  };
}

/** The Service `namespace/name` among those listed. */
export function findService(
  services: readonly Service[],
  ref: { readonly namespace: string; readonly name: string },
): Service | undefined {
  return services.find(
    (s) => s.metadata.namespace === ref.namespace && s.metadata.name === ref.name,
  );
}
