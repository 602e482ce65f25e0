export {
  type ConnectionLimits,
  createFastifyAdapter,
  DEFAULT_CONNECTION_LIMITS,
  KEEP_ALIVE_TIMEOUT_MS,
  type TlsCredentials,
} from './fastify-adapter';
export { configureHttpApp } from './configure-http-app';
export { BodyPipe } from './body.pipe';
export { closeConnectionsWhileDraining } from './connection-draining';
export { authenticatedIdentity, setAuthenticatedIdentity } from './request-identity';
export { isPublicRoute, PUBLIC_ROUTE } from './public-route';
export { errorBody } from './error-body';
export { DRAIN_PATH, MAX_DRAIN_HOLD_MS, registerDrainEndpoint } from './drain-endpoint';
export {
  isTableRoute,
  matchedRouteOf,
  type MatchedRoute,
  routeLabelOf,
  setMatchedRoute,
  setTableAllowedMethods,
  TABLE_ROUTE,
} from './matched-route';
