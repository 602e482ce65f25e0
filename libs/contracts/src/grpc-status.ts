import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

/** The gRPC status a handler's outcome maps to: OK, the code of an RpcException, or UNKNOWN. */
export function grpcStatusOf(err?: unknown): status {
  if (err === undefined) return status.OK;
  const payload = err instanceof RpcException ? err.getError() : err;
  const code = (payload as { code?: unknown } | null)?.code;
  return typeof code === 'number' && status[code] !== undefined ? code : status.UNKNOWN;
}

/** The canonical upper-case name of a status code, e.g. INVALID_ARGUMENT. */
export function grpcStatusName(code: status): string {
  return status[code] ?? 'UNKNOWN';
}
