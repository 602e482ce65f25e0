/** The part of a grpc-js Server that draining uses. */
export interface GrpcServerHandle {
  drain(port: string, graceTimeMs: number): void;
}

/** How often connections opened since the last GOAWAY get theirs (clients with stale DNS). */
export const GRPC_REDRAIN_INTERVAL_MS = 1000;

/**
 * Sends GOAWAY on every connection of the server's port, now and then every
 * GRPC_REDRAIN_INTERVAL_MS, while the server keeps listening: clients (the gateway's channel)
 * reconnect to the replicas DNS still lists, calls in flight finish (each gets `graceMs`, as on an
 * aged-out connection), and a call that races the GOAWAY is refused unprocessed, which grpc-js
 * retries transparently. Listeners close later, at SIGTERM + drain delay.
 */
export function drainGrpcServer(server: GrpcServerHandle, port: string, graceMs: number): void {
  server.drain(port, graceMs);
  setInterval(() => server.drain(port, graceMs), GRPC_REDRAIN_INTERVAL_MS).unref();
}
