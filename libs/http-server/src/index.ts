export { createFastifyAdapter, KEEP_ALIVE_TIMEOUT_MS } from './fastify-adapter';
export { configureHttpApp } from './configure-http-app';
export { BodyPipe } from './body.pipe';
export { closeConnectionsWhileDraining } from './connection-draining';
export { Upstream } from './upstream-route';
