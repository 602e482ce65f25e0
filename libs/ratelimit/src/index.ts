// Its variables (RATE_LIMIT_*, REDIS_*) are imported as '@app/ratelimit/env' (by libs/config only).
export { RateLimitModule } from './rate-limit.module';
export { type RatePolicy, RoutePolicies } from './route-policies';
