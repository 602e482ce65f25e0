// The app schemas only: loading them (loadConfig, ConfigError) and injecting the result
// (ConfigModule, APP_CONFIG) are '@app/env', the one library every other one may import.
export * from './env-schema';
