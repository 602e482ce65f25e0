export { AppProcess, type AppProcessOptions, type LogLine } from './app-process.ts';
export { APPS, type AppName, appEntry, repoRoot } from './paths.ts';
export { LOCAL_PORTS, randomLoopbackNet, Stack, type StackOptions } from './topology.ts';
export { type Backend, type Discovery, LOCAL_DNS_PORT } from './topology.ts';
export { DnsServer } from './dns-server.ts';
