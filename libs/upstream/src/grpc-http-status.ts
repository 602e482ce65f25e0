import { status } from '@grpc/grpc-js';

/**
 * The one table that maps a gRPC status from an upstream to the gateway's HTTP status (after the
 * grpc-gateway convention, with upstream-side failures reported as gateway errors: 502/503/504).
 */
export const GRPC_TO_HTTP: Readonly<Record<status, number>> = {
  [status.OK]: 200,
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 502,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 502,
  [status.UNAVAILABLE]: 503,
  [status.DATA_LOSS]: 502,
  [status.UNAUTHENTICATED]: 401,
};
