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
export { type GatewaysRouteTable, routeTableFromGateways } from './route-table-from-gateways';
export { type StatusUpdate, statusUpdates } from './status-updates';
export { serviceAddresses, withFrontServiceAddresses } from './gateway-addresses';
