import { ConfigError } from '@app/env';
import { DynamicModule, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ApiKeys } from './api-keys';
import { AuthCapabilities } from './auth-capabilities';
import type { AuthEnv } from './auth-env';
import { watchApiKeyFile } from './api-key-file';
import { AuthHook } from './auth.hook';
import { AuthMetrics, authMetricProviders } from './auth.metrics';
import { Authenticator } from './authenticator';
import { jwtOptionsOf } from './jwt-options';
import { JwtVerifier } from './jwt-verifier';
import { RouteAuthPolicies } from './route-auth-policies';

/** The API keys of AUTH_API_KEYS plus those of AUTH_API_KEYS_FILE, the latter kept current. */
class ApiKeySource implements OnApplicationShutdown {
  readonly keys = new ApiKeys();
  private readonly stop: () => void = () => undefined;

  constructor(config: AuthEnv) {
    const logger = new Logger('auth');
    const fixed = config.AUTH_API_KEYS;
    this.keys.replace(fixed);
    if (config.AUTH_API_KEYS_FILE !== undefined)
      this.stop = watchApiKeyFile(
        config.AUTH_API_KEYS_FILE,
        config.AUTH_API_KEYS_RELOAD_MS,
        (fromFile) => this.keys.replace([...fixed, ...fromFile]),
        {
          info: (fields, msg) => logger.log(fields, msg),
          warn: (fields, msg) => logger.warn(fields, msg),
        },
      );
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}

/** Files named by the configuration are read before Nest starts, so that a bad path is one line. */
function readAtStart<T>(variable: string, path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`Invalid configuration: ${variable}: cannot use ${path} (${reason})`);
  }
}

/**
 * Authentication at the edge, per route: none, API keys or JWT. Import it into the gateway's root
 * module; it hooks into the public listener (see AuthHook). The routes' policies come with every
 * route table (RouteAuthPolicies.replace); AUTH_DEFAULT is the policy of a route without one.
 */
@Module({})
export class AuthModule {
  static forRoot(config: AuthEnv): DynamicModule {
    const policies = new RouteAuthPolicies(config.AUTH_DEFAULT);
    // The route table may ask for jwt on any reload: a verifier exists whenever it is configured.
    const usesJwt =
      [config.AUTH_DEFAULT, ...config.AUTH_ROUTES.map((r) => r.scheme)].includes('jwt') ||
      (config.AUTH_JWT_ISSUER !== undefined &&
        config.AUTH_JWT_AUDIENCE !== undefined &&
        (config.AUTH_JWT_JWKS_URL ?? config.AUTH_JWT_PUBLIC_KEY_FILE) !== undefined);
    const capabilities = new AuthCapabilities({
      apiKey: config.AUTH_API_KEYS_FILE !== undefined || config.AUTH_API_KEYS.length > 0,
      jwt: usesJwt,
    });
    const source = readAtStart(
      'AUTH_API_KEYS_FILE',
      String(config.AUTH_API_KEYS_FILE),
      () => new ApiKeySource(config),
    );
    const jwt = usesJwt
      ? readAtStart(
          'AUTH_JWT_PUBLIC_KEY_FILE',
          String(config.AUTH_JWT_PUBLIC_KEY_FILE),
          () => new JwtVerifier(jwtOptionsOf(config)),
        )
      : undefined;
    return {
      module: AuthModule,
      // Global: the gateway's data plane hands every route table's policies to RouteAuthPolicies.
      global: true,
      providers: [
        { provide: RouteAuthPolicies, useValue: policies },
        { provide: AuthCapabilities, useValue: capabilities },
        { provide: ApiKeySource, useValue: source },
        { provide: Authenticator, useValue: new Authenticator(source.keys, jwt) },
        ...authMetricProviders,
        AuthMetrics,
        AuthHook,
      ],
      exports: [RouteAuthPolicies, AuthCapabilities],
    };
  }
}
