import type { AuthEnv } from '@app/auth/env';
import { createProjectBody, protoPath, USERVERIFY, verifyUserBody } from '@app/contracts';
import { commaSeparated } from '@app/env';
import type { RateLimitEnv } from '@app/ratelimit/env';
import type { UpstreamEnv } from '@app/upstream/env';
import { dirname } from 'node:path';
import { z } from 'zod';
import { routeDefaultsOf, type RouteDefaultsEnv } from './route-defaults';
import type { RouteFile, RouteFileRoute } from './route-file-fields';
import type { RouteTable } from './route-model';
import { routeTableFromFile } from './route-table-from-file';

export type DefaultRouteTableEnv = RouteDefaultsEnv &
  Pick<UpstreamEnv, 'WEBAPP_URL' | 'RPC_TARGET'> &
  Pick<AuthEnv, 'AUTH_ROUTES'> &
  Pick<RateLimitEnv, 'RATE_LIMIT_ROUTES'>;

/**
 * The gateway's routes without a route file: today's two, from today's variables. `POST /projects`
 * goes to webapp-1's `/create`, `POST /verify` to rpc-app-1's VerifyUser (only VerifyUser is
 * idempotent); AUTH_ROUTES and RATE_LIMIT_ROUTES give each its policies, as their parsers read
 * them; each body must satisfy its contract (libs/contracts/src/http/bodies.ts) as JSON Schema.
 * docs/examples/routes.yaml is the same table as a file.
 */
export function defaultRouteTable(env: DefaultRouteTableEnv): RouteTable {
  const policies = (route: string): Pick<RouteFileRoute, 'auth' | 'rateLimit'> => {
    const auth = env.AUTH_ROUTES.find((entry) => entry.route === route);
    const limit = env.RATE_LIMIT_ROUTES.find((entry) => entry.route === route);
    return {
      ...(auth && { auth: { scheme: auth.scheme, scopes: auth.scopes } }),
      ...(limit && { rateLimit: { limit: limit.limit, windowMs: limit.windowMs } }),
    };
  };
  const proto = protoPath(USERVERIFY.protoFile);
  const file: RouteFile = {
    formatVersion: 1,
    upstreams: {
      'webapp-1': {
        kind: 'http',
        urls: commaSeparated(env.WEBAPP_URL),
        rewrite: { prefix: '/projects', replacement: '/create' },
      },
      'rpc-app-1': { kind: 'grpc', target: env.RPC_TARGET, protos: [proto] },
    },
    routes: [
      {
        name: 'projects',
        match: { methods: ['POST'], path: { exact: '/projects' } },
        upstream: 'webapp-1',
        retry: { idempotent: false },
        bodySchema: bodySchemaOf(createProjectBody),
        ...policies('/projects'),
      },
      {
        name: 'verify',
        match: { methods: ['POST'], path: { exact: '/verify' } },
        upstream: 'rpc-app-1',
        grpc: { service: `${USERVERIFY.package}.${USERVERIFY.service}`, method: USERVERIFY.method },
        // VerifyUser only reads: calling it twice is harmless.
        retry: { idempotent: true },
        bodySchema: bodySchemaOf(verifyUserBody),
        ...policies('/verify'),
      },
    ],
  };
  return routeTableFromFile(file, routeDefaultsOf(env), dirname(proto));
}

/** The contract as the JSON Schema a route carries: the contract stays the one source. */
function bodySchemaOf(contract: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...schema } = z.toJSONSchema(contract, { io: 'input' });
  return schema;
}
