// Its variable (FAULT_DELAY_MS) is imported as '@app/fault-injection/env' (by libs/config only).
export { FaultDelayInterceptor } from './fault-delay.interceptor';
