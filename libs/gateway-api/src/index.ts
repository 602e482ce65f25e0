// Kubernetes Gateway API objects -> what this controller's Gateways serve, and the status the
// spec asks for (docs/adr/0011-gateway-api.md). Pure translation: no client, no informers.
export type * from './gateway-api-objects';
export type * from './gateway-api-model';
export type { Condition } from './gateway-api-conditions';
export { GATEWAY_API_GROUP } from './gateway-api-objects';
export { ANY_HOST, compareHostSpecificity, hostMatches } from './hostname-intersection';
export { certificateSetKey } from './listener-certificates';
export { translate, type TranslateOptions } from './translate';
export { findServedMatch, type ModelRequest } from './served-match-lookup';
export {
  MatchRouteCache,
  routeTableFromListener,
  servedMatchName,
  type ListenerRouteTable,
  type UnsupportedMatch,
} from './route-table-from-listener';
export { serviceUpstreamName, serviceUpstreamUrls, type ServicePort } from './service-upstream';
export {
  type GatewayPortRouteTable,
  type GatewaysRouteTable,
  routeTableFromGateways,
  routeTablesByGatewayPort,
} from './route-table-from-gateways';
export {
  allocateGatewayPorts,
  type GatewayPort,
  type GatewayPortAllocation,
  gatewayPortKey,
  type PortRange,
} from './gateway-ports';
export {
  desiredGatewayServices,
  GATEWAY_NAME_LABEL,
  gatewayListenerPorts,
  gatewayPortAllocation,
  type GatewayService,
  gatewayServiceChanges,
  type GatewayServiceChanges,
  gatewayServiceName,
  type GatewayServiceOptions,
  gatewayServicePlan,
  type GatewayServiceType,
  MANAGED_BY_LABEL,
  managedByValue,
  withGatewayServiceAddresses,
} from './gateway-services';
export { type StatusUpdate, statusUpdates } from './status-updates';
export { serviceAddresses, withFrontServiceAddresses } from './gateway-addresses';
