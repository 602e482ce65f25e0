export {
  type ConnectionLimits,
  createFastifyAdapter,
  DEFAULT_CONNECTION_LIMITS,
  KEEP_ALIVE_TIMEOUT_MS,
  type TlsCredentials,
} from './fastify-adapter';
export { configureHttpApp } from './configure-http-app';
export { type ErrorBody, errorBody } from './error-body';
export { HttpErrorFilter } from './http-error.filter';
export { RouteTable } from './method-not-allowed';
export { BodyPipe } from './validation';
export { closeConnectionsWhileDraining } from './connection-draining';
export { Upstream, upstreamOf } from './upstream-route';
export { authenticatedIdentity, setAuthenticatedIdentity } from './request-identity';
export { isPublicRoute, PUBLIC_ROUTE } from './public-route';
