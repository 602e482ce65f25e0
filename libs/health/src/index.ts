export { HealthState, type InfoCheck, type Phase, type WarmUpCheck } from './health-state';
export { HealthModule, HealthEndpointsModule } from './health.module';
export { LIVENESS_PATH, READINESS_PATH } from './health.controller';
