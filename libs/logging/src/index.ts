export { LoggingModule } from './logging.module';
export { flushLogs, type LoggingOptions } from './logger-options';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { GrpcRequestContextInterceptor } from './grpc-request-context.interceptor';
export { annotateAccessLog } from './access-log';
