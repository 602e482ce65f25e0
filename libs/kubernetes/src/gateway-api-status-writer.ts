import { GATEWAY_API_GROUP, type StatusUpdate } from '@app/gateway-api';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** Writes one status at a time through the objects' status subresource. */
export interface GatewayApiStatusWriter {
  /**
   * Replaces the object's status. Rejects when the API server refuses it - a 409 when the object
   * changed since it was listed: the watch brings the newer one and the next pass writes again.
   */
  write(update: StatusUpdate): Promise<void>;
}

const VERSION = 'v1';
const PLURAL: Record<StatusUpdate['kind'], string> = {
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
};

/**
 * A status replace (PUT .../status) of the object as listed, with its resourceVersion: never a
 * write over a change this process has not seen, and the spec is the API server's to keep (the
 * status subresource ignores it). Listed objects carry no apiVersion/kind; the body needs them.
 */
export function gatewayApiStatusWriter(config: KubeConfig): GatewayApiStatusWriter {
  const api = config.makeApiClient(CustomObjectsApi);
  return {
    write: async (update) => {
      const { name, namespace } = update.object.metadata;
      const body = {
        ...update.object,
        apiVersion: `${GATEWAY_API_GROUP}/${VERSION}`,
        kind: update.kind,
        status: update.status,
      };
      const target = {
        group: GATEWAY_API_GROUP,
        version: VERSION,
        plural: PLURAL[update.kind],
        name,
        body,
      };
      if (update.kind === 'GatewayClass') await api.replaceClusterCustomObjectStatus(target);
      else await api.replaceNamespacedCustomObjectStatus({ ...target, namespace: namespace ?? '' });
    },
  };
}
