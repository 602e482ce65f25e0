import { status } from '@grpc/grpc-js';
import type { RpcException } from '@nestjs/microservices';

/** The gRPC status a handler's outcome maps to: OK, the code of an RpcException, or UNKNOWN. */
export function grpcStatusOf(err?: unknown): status {
  if (err === undefined) return status.OK;
  // Duck-typed rather than `instanceof`: importing the class would load @nestjs/microservices
  // into the gateway, which only uses the contracts.
  const payload =
    typeof (err as RpcException | undefined)?.getError === 'function'
      ? (err as RpcException).getError()
      : err;
  const code = (payload as { code?: unknown } | null)?.code;
  return typeof code === 'number' && status[code] !== undefined ? code : status.UNKNOWN;
}

/** The canonical upper-case name of a status code, e.g. INVALID_ARGUMENT. */
export function grpcStatusName(code: status): string {
  return status[code] ?? 'UNKNOWN';
}
