import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * While `draining()` is true every response carries `Connection: close`, so keep-alive clients
 * (the gateway's pool, load balancers, probes) move to other replicas and no socket is left
 * open for the server to wait on once it stops listening. Idle sockets are closed at close time
 * by Fastify itself (forceCloseConnections: 'idle').
 */
export function closeConnectionsWhileDraining(
  app: NestFastifyApplication,
  draining: () => boolean,
): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      if (draining()) reply.header('connection', 'close');
      done(null, payload);
    });
}
