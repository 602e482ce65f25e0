export { LoggingModule } from './logging.module';
export { flushLogs, type LoggingOptions } from './logger-options';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { GrpcRequestContextInterceptor } from './grpc-request-context.interceptor';
export type { AccessLogFields } from './access-log';
export { logRequests } from './request-logging';
