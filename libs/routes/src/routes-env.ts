import { port, positiveInt } from '@app/env';
import { upstreamEnv } from '@app/upstream/env';
import { z } from 'zod';

/**
 * Where the gateway's routes come from (docs/route-file.md). This library's part of the gateway's
 * environment schema, which libs/config/src/env-schema.ts assembles (as '@app/routes/env').
 */
const dnsLabel = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const namespacedName = z
  .string()
  .regex(
    new RegExp(`^${dnsLabel}/${dnsLabel}(\\.${dnsLabel})*$`),
    'namespace/name of a Kubernetes object, such as gateway-stack/gateway',
  )
  .max(317);

export const routesEnv = {
  /** Unset: today's two routes from WEBAPP_URL, RPC_TARGET, AUTH_ROUTES and RATE_LIMIT_ROUTES. */
  ROUTES_FILE: z.string().min(1).optional(),
  /** A fallback for file systems whose change events do not arrive (some network volumes). */
  ROUTES_RELOAD_POLL_MS: positiveInt.min(100).max(600_000).default(2000),
  /**
   * Set: routes come from the Kubernetes Gateway API objects of GatewayClasses naming this
   * controller (docs/adr/0011-gateway-api.md), instead of a route file or the two seed routes.
   * A domain-prefixed path, as GatewayClass spec.controllerName requires.
   */
  GATEWAY_API_CONTROLLER_NAME: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/,
      'a domain-prefixed path, such as example.com/gateway-controller',
    )
    .max(253)
    .optional(),
  /** Changes to the Gateway API objects within this window make one route table. */
  GATEWAY_API_DEBOUNCE_MS: positiveInt.min(1).max(10_000).default(100),
  /**
   * `namespace/name` of the Service in front of the gateway pods: its address is every Gateway's
   * status address. Unset: no Gateway is Programmed (AddressNotAssigned).
   */
  GATEWAY_API_SERVICE: namespacedName.optional(),
  /**
   * `namespace/name` of the coordination.k8s.io Lease that elects the one gateway pod writing the
   * Gateway API objects' status. Unset: no status is written.
   */
  GATEWAY_API_STATUS_LEASE: namespacedName.optional(),
  /**
   * The port the gateway terminates TLS on for the Gateways' HTTPS listeners, with the
   * certificates of the Secrets they name; the decrypted connections are served like the main
   * port's. Unset: HTTPS listeners are refused (UnsupportedProtocol) and no Secret is read.
   */
  GATEWAY_API_HTTPS_PORT: port.optional(),
  /**
   * `from-to` (inclusive): the pod ports each (Gateway, listener port) gets a Node listener on,
   * its Gateway's Service sending there (docs/adr/0011-gateway-api.md, "Per-Gateway addresses").
   * Unset: no per-Gateway listener, every Gateway served on PORT (and GATEWAY_API_HTTPS_PORT).
   */
  GATEWAY_API_INTERNAL_PORTS: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'a port range from-to, such as 20000-29999')
    .transform((value, context) => {
      const [from, to] = value.split('-').map(Number);
      if (from < 1 || to > 65535 || from > to) {
        context.addIssue({ code: 'custom', message: 'from-to with 1 <= from <= to <= 65535' });
        return z.NEVER;
      }
      return { from, to };
    })
    .optional(),
};

export type RoutesEnv = z.infer<z.ZodObject<typeof routesEnv>>;

/** Variables the route file replaces, and what replaces them: beside it they would be ignored. */
const REPLACED_BY_THE_FILE = {
  WEBAPP_URL: 'the urls of an http upstream',
  RPC_TARGET: 'the target of a grpc upstream',
  AUTH_ROUTES: 'auth on its routes',
  RATE_LIMIT_ROUTES: 'rateLimit on its routes',
} as const;

const DEFAULTS = {
  WEBAPP_URL: upstreamEnv.WEBAPP_URL.parse(undefined),
  RPC_TARGET: upstreamEnv.RPC_TARGET.parse(undefined),
};

/**
 * With ROUTES_FILE or GATEWAY_API_CONTROLLER_NAME, the variables they replace must be unset: each
 * set one is an error, as is setting both (one source of routes).
 */
export function checkRoutesFileConfig(
  config: RoutesEnv & {
    WEBAPP_URL: string;
    RPC_TARGET: string;
    AUTH_ROUTES: readonly unknown[];
    RATE_LIMIT_ROUTES: readonly unknown[];
  },
  context: z.RefinementCtx,
): void {
  if (config.GATEWAY_API_CONTROLLER_NAME === undefined) {
    for (const name of [
      'GATEWAY_API_SERVICE',
      'GATEWAY_API_STATUS_LEASE',
      'GATEWAY_API_HTTPS_PORT',
      'GATEWAY_API_INTERNAL_PORTS',
    ] as const)
      if (config[name] !== undefined)
        context.addIssue({
          code: 'custom',
          path: [name],
          message: 'only used with GATEWAY_API_CONTROLLER_NAME (the routes from the Gateway API)',
        });
  } else if (
    config.GATEWAY_API_INTERNAL_PORTS !== undefined &&
    config.GATEWAY_API_SERVICE === undefined
  )
    context.addIssue({
      code: 'custom',
      path: ['GATEWAY_API_INTERNAL_PORTS'],
      message:
        "needs GATEWAY_API_SERVICE: the Gateways' Services are made beside it, selecting its pods",
    });
  if (config.ROUTES_FILE === undefined && config.GATEWAY_API_CONTROLLER_NAME === undefined) return;
  if (config.ROUTES_FILE !== undefined && config.GATEWAY_API_CONTROLLER_NAME !== undefined)
    context.addIssue({
      code: 'custom',
      path: ['GATEWAY_API_CONTROLLER_NAME'],
      message: 'not used with ROUTES_FILE; the routes come from one source: unset one of them',
    });
  const set = {
    WEBAPP_URL: config.WEBAPP_URL !== DEFAULTS.WEBAPP_URL,
    RPC_TARGET: config.RPC_TARGET !== DEFAULTS.RPC_TARGET,
    AUTH_ROUTES: config.AUTH_ROUTES.length > 0,
    RATE_LIMIT_ROUTES: config.RATE_LIMIT_ROUTES.length > 0,
  };
  for (const [name, instead] of Object.entries(REPLACED_BY_THE_FILE))
    if (set[name as keyof typeof set])
      context.addIssue({
        code: 'custom',
        path: [name],
        message:
          config.ROUTES_FILE !== undefined
            ? `not used with ROUTES_FILE; set ${instead} in ${config.ROUTES_FILE} instead`
            : 'not used with GATEWAY_API_CONTROLLER_NAME: the HTTPRoutes say what is served',
      });
}

/**
 * The HTTPS listeners' port is a port of its own: on PORT or ADMIN_PORT it could not be opened.
 * The internal ports' range holds none of the three: a Gateway's Service sending to one of them
 * would reach another listener (the allocation skips them too, gateway-ports.ts, but a range
 * that names them is a mistake to say, not to work around).
 */
export function checkGatewayApiHttpsPort(
  config: {
    PORT: number;
    ADMIN_PORT: number;
    GATEWAY_API_HTTPS_PORT?: number;
    GATEWAY_API_INTERNAL_PORTS?: { from: number; to: number };
  },
  context: z.RefinementCtx,
): void {
  const https = config.GATEWAY_API_HTTPS_PORT;
  for (const other of ['PORT', 'ADMIN_PORT'] as const)
    if (https !== undefined && https === config[other])
      context.addIssue({
        code: 'custom',
        path: ['GATEWAY_API_HTTPS_PORT'],
        message: `must differ from ${other} (${config[other]}): the gateway opens both`,
      });
  const range = config.GATEWAY_API_INTERNAL_PORTS;
  if (range === undefined) return;
  for (const other of ['PORT', 'ADMIN_PORT', 'GATEWAY_API_HTTPS_PORT'] as const) {
    const taken = config[other];
    if (taken !== undefined && taken >= range.from && taken <= range.to)
      context.addIssue({
        code: 'custom',
        path: ['GATEWAY_API_INTERNAL_PORTS'],
        message: `must not hold ${other} (${taken}): the gateway listens there already`,
      });
  }
}
