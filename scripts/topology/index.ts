export { AppProcess, type AppProcessOptions, type LogLine } from './app-process.ts';
export { APPS, type AppName, appEntry, repoRoot } from './paths.ts';
export { RedisProcess, type RedisProcessOptions } from './redis-process.ts';
export {
  LOCAL_PORTS,
  randomLoopbackNet,
  REDIS_PORT,
  Stack,
  type StackOptions,
} from './topology.ts';
