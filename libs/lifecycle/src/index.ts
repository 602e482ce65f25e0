export {
  installGracefulShutdown,
  type ShutdownLogger,
  type ShutdownOptions,
} from './graceful-shutdown';
