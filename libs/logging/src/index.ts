export { LoggingModule } from './logging.module';
export {
  asyncStdout,
  flushLogs,
  type LoggingOptions,
  pinoOptions,
  REDACTED_PATHS,
} from './logger-options';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
export { GrpcRequestContextInterceptor } from './grpc-request-context.interceptor';
export { type AccessLogFields, accessLogFields, annotateAccessLog } from './access-log';
