export * from './env-schema';
export { ConfigError, loadConfig } from './load-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export { AUTH_SCHEMES } from './edge-env';
export { type RouteAuth, authRoutes } from './auth-routes';
