export { FaultDelayInterceptor } from './fault-delay.interceptor';
