import { authEnv, checkAuthConfig } from '@app/auth/env';
import { grpcServerEnv, serviceEnv } from '@app/bootstrap/env';
import { corsEnv, checkTlsConfig, httpEdgeEnv, tlsEnv } from '@app/edge/env';
import { port } from '@app/env';
import { faultEnv } from '@app/fault-injection/env';
import { rateLimitEnv } from '@app/ratelimit/env';
import { checkGatewayApiHttpsPort, checkRoutesFileConfig, routesEnv } from '@app/routes/env';
import { checkRpcTarget, upstreamEnv } from '@app/upstream/env';
import { z } from 'zod';

/**
 * The one schema of every environment variable each app reads, assembled here from the parts the
 * libraries own, each next to the code that reads it: serviceEnv, grpcServerEnv (libs/bootstrap),
 * faultEnv (libs/fault-injection), routesEnv (libs/routes), upstreamEnv (libs/upstream), rateLimitEnv (libs/ratelimit),
 * httpEdgeEnv, corsEnv, tlsEnv (libs/edge), authEnv (libs/auth). Only the ports are this file's own:
 * their defaults differ per app. Names are the contract between the apps, the Helm chart, the tests
 * and the docs (docs/architecture.md): add freely, rename only together with every user.
 */

/** Variables every app reads. Ports default per app, so they are added by each app's schema. */
export const commonEnv = z.object(serviceEnv);

export const webappEnv = commonEnv.extend({
  PORT: port.default(5000),
  ADMIN_PORT: port.default(9001),
  ...faultEnv,
});

export const rpcAppEnv = commonEnv.extend({
  PORT: port.default(6000),
  ADMIN_PORT: port.default(9002),
  ...faultEnv,
  ...grpcServerEnv,
});

export const gatewayEnv = commonEnv
  .extend({
    PORT: port.default(8000),
    ADMIN_PORT: port.default(9000),
    ...routesEnv,
    ...upstreamEnv,
    ...rateLimitEnv,

    // Edge security (docs/edge-security.md): slow clients, body limit, CORS, authentication, TLS.
    ...httpEdgeEnv,
    ...corsEnv,
    ...authEnv,
    ...tlsEnv,
  })
  .superRefine(checkAuthConfig)
  .superRefine(checkTlsConfig)
  .superRefine(checkRpcTarget)
  .superRefine(checkRoutesFileConfig)
  .superRefine(checkGatewayApiHttpsPort);

export type CommonConfig = z.infer<typeof commonEnv>;
export type GatewayConfig = z.infer<typeof gatewayEnv>;
