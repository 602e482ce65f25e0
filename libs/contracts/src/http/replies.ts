import { z } from 'zod';
import { INT32_MAX } from './bodies';

/** 200 of POST /projects/: webapp-1's project as the gateway passes it on. */
export const projectCreatedReply = z.object({
  id: z.number().int().min(1).max(INT32_MAX),
  url: z.string(),
});

/** 200 of POST /verify/: rpc-app-1's VerifyReply. */
export const verifyReply = z.object({ message: z.string() });

/**
 * Every error answer of the public API (see libs/http-server/src/error-body.ts): status, reason
 * phrase, a message naming the problem, and details such as `field`, `upstream` or `reason`.
 */
export const errorReply = z
  .object({
    statusCode: z.number().int().min(400).max(599),
    error: z.string(),
    message: z.string(),
    field: z.string().optional(),
    upstream: z.string().optional(),
    reason: z.string().optional(),
  })
  .loose();
