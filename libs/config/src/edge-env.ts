import { z } from 'zod';
import { authRoutes } from './auth-routes';

const positiveInt = z.coerce.number().int().min(1);
const nonNegativeInt = z.coerce.number().int().min(0);

/** Comma-separated list, blanks dropped. */
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export const AUTH_SCHEMES = ['none', 'api-key', 'jwt'] as const;

/**
 * The gateway's public listener against slow and abusive clients (docs/edge-security.md): Node's
 * own timeouts, checked every HTTP_TIMEOUT_CHECK_INTERVAL_MS instead of Node's default 30 s.
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

/**
 * rpc-app-1's gRPC server against oversized messages, stream floods and dead peers. grpc-js
 * servers cannot enforce a minimum client ping interval; only the gateway may reach rpc-app-1
 * (the chart's NetworkPolicy).
 */
export const grpcServerEnv = {
  /** Largest request message accepted (grpc's default is 4 MiB); a larger one ends RESOURCE_EXHAUSTED. */
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt.default(1024 * 1024 + 64 * 1024),
  /** Calls in flight on one connection at once. */
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.default(100),
  /** The server pings a connection idle this long, and closes it if the ping is not answered ... */
  GRPC_KEEPALIVE_TIME_MS: positiveInt.default(60_000),
  /** ... within this. */
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(20_000),
};

/** CORS on the public listener: off unless origins are listed. */
export const corsEnv = {
  /** Allowed origins, comma-separated (`https://app.example.com`), or `*`; unset = CORS off. */
  CORS_ALLOWED_ORIGINS: z.string().default('').transform(list),
  CORS_ALLOWED_METHODS: z.string().default('POST').transform(list),
  CORS_ALLOWED_HEADERS: z
    .string()
    .default('content-type,authorization,x-api-key,x-request-id')
    .transform(list),
  /** How long a browser may cache a preflight answer. */
  CORS_MAX_AGE_S: nonNegativeInt.default(600),
};

/** Who may call the gateway (docs/edge-security.md "Authentication"). */
export const authEnv = {
  /** Scheme of every route without its own in AUTH_ROUTES. */
  AUTH_DEFAULT: z.enum(AUTH_SCHEMES).default('none'),
  /** Per-route schemes and JWT scopes, e.g. `/verify=jwt:users.verify,/projects=api-key`. */
  AUTH_ROUTES: authRoutes.default([]),
  /** File with one API key per line (a mounted Secret); re-read when it changes. */
  AUTH_API_KEYS_FILE: z.string().min(1).optional(),
  /** API keys, comma-separated (an env var from a Secret); fixed for the process's life. */
  AUTH_API_KEYS: z.string().default('').transform(list),
  /** How often AUTH_API_KEYS_FILE is checked for changes. */
  AUTH_API_KEYS_RELOAD_MS: positiveInt.default(5000),
  /** JWKS document of the token issuer, http(s). */
  AUTH_JWT_JWKS_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' })
    .optional(),
  /** A static public key (PEM, SPKI) instead of a JWKS URL. */
  AUTH_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Required `iss` claim. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** Required `aud` claim (one of the token's audiences). */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Tolerance for `exp` / `nbf` / `iat`, for clocks that disagree a little. */
  AUTH_JWT_CLOCK_SKEW_S: nonNegativeInt.max(300).default(30),
  /** The JWKS is fetched again at most this often, even for tokens with an unknown `kid`. */
  AUTH_JWT_JWKS_COOLDOWN_MS: positiveInt.default(30_000),
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

type EdgeConfig = z.infer<z.ZodObject<typeof authEnv & typeof tlsEnv>>;

/** Cross-variable rules of the edge settings: each scheme in use has what it needs. */
export function checkEdgeConfig(config: EdgeConfig, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) =>
    context.addIssue({ code: 'custom', path: [path], message });
  const schemes = new Set([config.AUTH_DEFAULT, ...config.AUTH_ROUTES.map((r) => r.scheme)]);
  if (
    schemes.has('api-key') &&
    config.AUTH_API_KEYS_FILE === undefined &&
    config.AUTH_API_KEYS.length === 0
  )
    issue('AUTH_API_KEYS_FILE', 'api-key authentication needs AUTH_API_KEYS_FILE or AUTH_API_KEYS');
  if (schemes.has('jwt')) {
    const keySources = [config.AUTH_JWT_JWKS_URL, config.AUTH_JWT_PUBLIC_KEY_FILE].filter(
      (source) => source !== undefined,
    );
    if (keySources.length !== 1)
      issue(
        'AUTH_JWT_JWKS_URL',
        'jwt authentication needs exactly one of AUTH_JWT_JWKS_URL and AUTH_JWT_PUBLIC_KEY_FILE',
      );
    // A token for another service of the same issuer must not pass here: both claims are required.
    if (config.AUTH_JWT_ISSUER === undefined)
      issue('AUTH_JWT_ISSUER', 'jwt authentication needs the expected issuer');
    if (config.AUTH_JWT_AUDIENCE === undefined)
      issue('AUTH_JWT_AUDIENCE', 'jwt authentication needs the expected audience');
  }
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined))
    issue('TLS_CERT_FILE', 'TLS needs both TLS_CERT_FILE and TLS_KEY_FILE');
}
