export { RateLimitModule } from './rate-limit.module';
export { type RateLimitConfig, rateLimitOptions } from './rate-limit.options';
export { clientAddress } from './client-address';
