export { HealthState, type Phase } from './health-state';
export { HealthModule, HealthEndpointsModule } from './health.module';
