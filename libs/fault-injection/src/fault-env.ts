import { nonNegativeInt } from '@app/env';
import type { z } from 'zod';

/**
 * Fault injection for the backends: added latency on every request. For drain, timeout and
 * chaos tests; leave at 0 in production. This library's part of the backends' environment
 * schemas, which libs/config/src/env-schema.ts assembles (as '@app/fault-injection/env').
 */
export const faultEnv = {
  FAULT_DELAY_MS: nonNegativeInt.max(60_000).default(0),
};

export type FaultEnv = z.infer<z.ZodObject<typeof faultEnv>>;
