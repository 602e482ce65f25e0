import type { GatewayService, Service } from '@app/gateway-api';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';

/** Writes the Services of the Gateways (docs/adr/0011-gateway-api.md, "Per-Gateway addresses"). */
export interface GatewayServiceWriter {
  create(service: GatewayService): Promise<void>;
  /** `current` as listed: the write is refused (409) if it changed since. */
  update(current: Service, desired: GatewayService): Promise<void>;
  /** Refused if the Service at that name is not the one listed (another uid). */
  delete(service: Service): Promise<void>;
}

/**
 * An update is a JSON merge patch naming the listed resourceVersion: it sets the labels this
 * controller sets (others stay), and replaces ownerReferences and the spec fields it sets; the
 * API server keeps the clusterIP, and the nodePorts of the ports it keeps.
 */
export function gatewayServiceWriter(config: KubeConfig): GatewayServiceWriter {
  const api = KubernetesObjectApi.makeApiClient(config);
  const header = (service: Service) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: service.metadata.namespace, name: service.metadata.name },
  });
  return {
    create: async (service) => {
      await api.create(body(service));
    },
    update: async (current, desired) => {
      const patch = {
        ...header(current),
        metadata: {
          ...header(current).metadata,
          resourceVersion: current.metadata.resourceVersion,
          labels: desired.metadata.labels,
          ownerReferences: desired.metadata.ownerReferences,
        },
        spec: desired.spec,
      };
      await api.patch(
        body(patch),
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      );
    },
    delete: async (service) => {
      await api.delete(header(service), undefined, undefined, undefined, undefined, undefined, {
        preconditions: { uid: service.metadata.uid },
      });
    },
  };
}

/** The client's object types are mutable; a body is only serialized, never changed. */
function body(object: object): KubernetesObject {
  return object as KubernetesObject;
}
