export { AppProcess, type AppProcessOptions, type LogLine } from './app-process.ts';
export { APPS, type AppName, appEntry, repoRoot } from './paths.ts';
export { RedisProcess, type RedisProcessOptions } from './redis-process.ts';
export {
  type Backend,
  type Discovery,
  LOCAL_DNS_PORT,
  LOCAL_PORTS,
  randomLoopbackNet,
  REDIS_PORT,
  Stack,
  type StackOptions,
} from './topology.ts';
export { DnsServer } from './dns-server.ts';
export { userVerifyClient } from './user-verify-client.ts';
