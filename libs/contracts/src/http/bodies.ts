import { z } from 'zod';

/** The largest value of the proto's int32 `id`. */
export const INT32_MAX = 2 ** 31 - 1;

/** A title is echoed back in the project url; bounded so a request cannot grow every log line. */
export const TITLE_MAX_LENGTH = 1024;

/**
 * Messages name the field first ("title is required", "id must be an integer"), which is how the
 * 400 answer tells the client what to fix; absent, wrongly typed and out-of-range get their own.
 */
function required(field: string, type: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `${field} is required` : `${field} must be ${type}`;
}

/** Body of POST /projects/ on the gateway and of POST /create on webapp-1. */
export const createProjectBody = z.object({
  title: z
    .string({ error: required('title', 'a string') })
    .min(1, { error: 'title must not be empty' })
    .max(TITLE_MAX_LENGTH, { error: `title must be at most ${TITLE_MAX_LENGTH} characters` }),
});
export type CreateProjectBody = z.infer<typeof createProjectBody>;

const idRange = `id must be between 1 and ${INT32_MAX}`;

/**
 * Body of POST /verify/: `id` fits the proto's int32 and is positive (proto3 cannot tell a missing
 * id from 0), `token` is non-empty.
 */
export const verifyUserBody = z.object({
  id: z
    .number({ error: required('id', 'an integer') })
    .int({ error: 'id must be an integer' })
    .min(1, { error: idRange })
    .max(INT32_MAX, { error: idRange }),
  token: z
    .string({ error: required('token', 'a string') })
    .min(1, { error: 'token must not be empty' }),
});
export type VerifyUserBody = z.infer<typeof verifyUserBody>;
