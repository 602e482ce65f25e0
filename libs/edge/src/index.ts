export { connectionLimitsOf } from './connection-limits';
export { EdgeModule } from './edge.module';
