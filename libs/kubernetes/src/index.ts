// The one place this project talks to the Kubernetes API (@kubernetes/client-node): the Gateway
// API objects watched, their status and the Gateways' Services written, the Lease electing the pod that writes it
// (docs/adr/0011-gateway-api.md).
export {
  type GatewayApiWatch,
  type GatewayApiWatchOptions,
  watchGatewayApi,
} from './gateway-api-watch';
export { type GatewayApiStatusWriter, gatewayApiStatusWriter } from './gateway-api-status-writer';
export { type GatewayServiceWriter, gatewayServiceWriter } from './gateway-service-writer';
export {
  type GatewayApiStatusPublisher,
  gatewayApiStatusPublisher,
} from './gateway-api-status-publisher';
export { loadKubeConfig } from './kube-config';
export {
  type LeaseElection,
  type LeaseElectionOptions,
  type LeaseRecord,
  type LeaseStore,
  leaseElection,
} from './lease-election';
export { KubernetesLeaseStore } from './lease-store';
