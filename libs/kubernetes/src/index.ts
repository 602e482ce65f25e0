export {
  type GatewayApiWatch,
  type GatewayApiWatchOptions,
  watchGatewayApi,
} from './gateway-api-watch';
export {
  type LeaseElection,
  leaseElection,
  type LeaseElectionOptions,
  type LeaseRecord,
  type LeaseStore,
} from './lease-election';
export { KubernetesLeaseStore } from './lease-store';
