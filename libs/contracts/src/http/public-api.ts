import type { z } from 'zod';
import { createProjectBody, verifyUserBody } from './bodies';
import { projectCreatedReply, verifyReply } from './replies';

/** One operation of the gateway's public API: the schemas its controller validates with. */
export interface PublicOperation {
  /** The route template, as in the `route` metric label (a trailing slash is also accepted). */
  path: string;
  method: 'post';
  operationId: string;
  summary: string;
  body: z.ZodType;
  reply: z.ZodType;
  /** The upstream whose failures become 502 / 503 / 504. */
  upstream: string;
}

/** Version of the public API's contract: bump it with every change of PUBLIC_OPERATIONS. */
export const PUBLIC_API_VERSION = '1.0.0';

/** The gateway's public API; the OpenAPI document is generated from it (see @app/edge). */
export const PUBLIC_OPERATIONS: readonly PublicOperation[] = [
  {
    path: '/projects',
    method: 'post',
    operationId: 'createProject',
    summary: 'Create a project (webapp-1)',
    body: createProjectBody,
    reply: projectCreatedReply,
    upstream: 'webapp-1',
  },
  {
    path: '/verify',
    method: 'post',
    operationId: 'verifyUser',
    summary: 'Verify a user (rpc-app-1, gRPC userverify.UserVerify/VerifyUser)',
    body: verifyUserBody,
    reply: verifyReply,
    upstream: 'rpc-app-1',
  },
];
