import { commaSeparated, nonNegativeInt, positiveInt } from '@app/env';
import { z } from 'zod';

/**
 * The gateway's public listener (docs/edge-security.md): slow clients, body limit, CORS and TLS.
 * This library's part of the gateway's environment schema, which libs/config/src/env-schema.ts
 * assembles. Only zod here: the config library imports this file (as '@app/edge/env').
 */

/**
 * Against slow and abusive clients: Node's own timeouts, checked every
 * HTTP_TIMEOUT_CHECK_INTERVAL_MS instead of Node's default 30 s.
 */
export const httpEdgeEnv = {
  /** A client must have sent all its request headers this long after its connection opened. */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  /** ... and its whole request, body included. */
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  /** How often Node looks for connections past those timeouts (its default is 30 s). */
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: positiveInt.default(1_000),
  /** Idle keep-alive connections are closed after this long (past every load balancer's 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(65_000),
  /** Requests served on one connection before it is closed; 0 = no limit. */
  HTTP_MAX_REQUESTS_PER_SOCKET: nonNegativeInt.default(1000),
  /** Largest request body accepted; a larger one gets 413. */
  HTTP_BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
};

/** CORS on the public listener: off unless origins are listed. */
export const corsEnv = {
  /** Allowed origins, comma-separated (`https://app.example.com`), or `*`; unset = CORS off. */
  CORS_ALLOWED_ORIGINS: z.string().default('').transform(commaSeparated),
  CORS_ALLOWED_METHODS: z.string().default('POST').transform(commaSeparated),
  CORS_ALLOWED_HEADERS: z
    .string()
    .default('content-type,authorization,x-api-key,x-request-id')
    .transform(commaSeparated),
  /** How long a browser may cache a preflight answer. */
  CORS_MAX_AGE_S: nonNegativeInt.default(600),
};

/** TLS on the public listener, from files (a Secret, e.g. cert-manager's), reloaded on change. */
export const tlsEnv = {
  /** Certificate chain (PEM); with TLS_KEY_FILE, the public listener serves HTTPS only. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  /** Its private key (PEM). */
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** How often both files are checked for changes (a renewed certificate). */
  TLS_RELOAD_MS: positiveInt.default(5000),
};

export type HttpEdgeEnv = z.infer<z.ZodObject<typeof httpEdgeEnv>>;
export type CorsEnv = z.infer<z.ZodObject<typeof corsEnv>>;
export type TlsEnv = z.infer<z.ZodObject<typeof tlsEnv>>;

/** A certificate without its key (or the reverse) is a mistake, not "TLS off". */
export function checkTlsConfig(config: TlsEnv, context: z.RefinementCtx): void {
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined))
    context.addIssue({
      code: 'custom',
      path: ['TLS_CERT_FILE'],
      message: 'TLS needs both TLS_CERT_FILE and TLS_KEY_FILE',
    });
}
