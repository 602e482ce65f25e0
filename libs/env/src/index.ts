// The lowest library: what every library's configuration part needs, and nothing of any part.
export { ConfigError, loadConfig } from './load-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export { commaSeparated, nonNegativeInt, percent, port, positiveInt } from './env-fields';
