// Nothing here may load Nest, pino, http or grpc: apps import this first, before those modules, so
// that the instrumentations can hook them when they load.
export {
  setHttpRoute,
  shutdownTracing,
  startTracing,
  traceExemplar,
  tracingEnabled,
} from './start-tracing';
export { excludePortFromTracing } from './untraced-ports';
