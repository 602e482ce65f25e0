import { AppProcess, type AppProcessOptions } from './app-process.ts';
import type { AppName } from './paths.ts';
import { RedisProcess } from './redis-process.ts';

/** Public and admin ports of each app when run locally (DESIGN.md); replicas differ by address. */
export const LOCAL_PORTS: Record<AppName, { port: number; adminPort: number }> = {
  gateway: { port: 8000, adminPort: 9000 },
  'webapp-1': { port: 5000, adminPort: 9001 },
  'rpc-app-1': { port: 6000, adminPort: 9002 },
};

/** Last address byte of replica i (1-based) of each app: webapp-1 .11.., rpc-app-1 .21.., gateway .31... */
const HOST_BASE: Record<AppName, number> = { 'webapp-1': 10, 'rpc-app-1': 20, gateway: 30 };

/** Address (last byte) and port of the stack's redis-server. */
const REDIS_HOST = 51;
export const REDIS_PORT = 6379;

export interface StackOptions {
  /** Replicas of each backend (webapp-1, rpc-app-1). */
  replicas?: number;
  /** Gateway processes. */
  gateways?: number;
  /**
   * The first three bytes of the loopback addresses, e.g. "127.0.0". Each app replica binds its own
   * address in it, so replicas share the app's ports. Default: a random 127.x.y, so that several
   * stacks (parallel tests) never collide.
   */
  net?: string;
  /** Extra env per app (e.g. timeouts, rate limits). */
  env?: Partial<Record<AppName, Record<string, string>>>;
  /** Address of the first gateway instead of its place in `net` (npm start: 127.0.0.1, so localhost:8000 works). */
  firstGatewayHost?: string;
  onLine?: AppProcessOptions['onLine'];
  nodeArgs?: string[];
  /** Per-process log files instead of piping logs through the runner: name -> path. */
  logFile?: (name: string) => string;
  /**
   * Run a redis-server on the stack's net and point every gateway at it (REDIS_URL): the shared
   * rate-limit store. `{ password }` also sets requirepass and the gateways' REDIS_PASSWORD.
   */
  redis?: boolean | { password?: string };
}

/** A random 127.x.y prefix outside 127.0.0 (which `npm start` uses). */
export function randomLoopbackNet(): string {
  const a = 1 + Math.floor(Math.random() * 250);
  const b = Math.floor(Math.random() * 256);
  return `127.${a}.${b}`;
}

/**
 * A local topology of real processes: N replicas of each backend on distinct loopback addresses
 * and M gateways pointed at all of them, optionally sharing one redis-server. The same code runs
 * `npm start` and the end-to-end tests; later features (DNS) extend it here.
 */
export class Stack {
  readonly net: string;
  readonly webapps: AppProcess[] = [];
  readonly rpcApps: AppProcess[] = [];
  readonly gateways: AppProcess[] = [];
  readonly redis: RedisProcess | undefined;
  readonly options: StackOptions;

  constructor(options: StackOptions = {}) {
    this.options = options;
    this.net = options.net ?? randomLoopbackNet();
    if (options.redis)
      this.redis = new RedisProcess({
        host: `${this.net}.${REDIS_HOST}`,
        port: REDIS_PORT,
        password: options.redis === true ? undefined : options.redis.password,
      });
    for (let i = 1; i <= (options.replicas ?? 1); i++)
      this.webapps.push(this.replica('webapp-1', i));
    for (let i = 1; i <= (options.replicas ?? 1); i++)
      this.rpcApps.push(this.replica('rpc-app-1', i));
    for (let i = 1; i <= (options.gateways ?? 1); i++)
      this.gateways.push(this.replica('gateway', i));
  }

  get all(): AppProcess[] {
    return [...this.webapps, ...this.rpcApps, ...this.gateways];
  }

  /** The first gateway's public base URL. */
  get gatewayUrl(): string {
    return `http://${this.gateways[0].address}`;
  }

  /** WEBAPP_URL for the gateways: every webapp-1 replica's base URL. */
  webappUrl(): string {
    return this.webapps.map((p) => `http://${p.address}`).join(',');
  }

  /** RPC_TARGET for the gateways: every rpc-app-1 replica, balanced per call by grpc-js. */
  rpcTarget(): string {
    return `ipv4:${this.rpcApps.map((p) => p.address).join(',')}`;
  }

  /** Starts Redis (if any) and the backends, then the gateways; resolves when every process is ready. */
  async start(): Promise<this> {
    try {
      if (this.redis) {
        this.redis.start();
        await this.redis.waitReady();
      }
      const backends = [...this.webapps, ...this.rpcApps];
      for (const p of backends) p.start();
      await Promise.all(backends.map((p) => p.waitReady()));
      for (const p of this.gateways) p.start();
      await Promise.all(this.gateways.map((p) => p.waitReady()));
      return this;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Adds one more replica of a backend (not started). */
  addReplica(app: 'webapp-1' | 'rpc-app-1'): AppProcess {
    const list = app === 'webapp-1' ? this.webapps : this.rpcApps;
    const replica = this.replica(app, list.length + 1);
    list.push(replica);
    return replica;
  }

  /** Stops everything: gateways first, as a rollout would, then the backends and Redis. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.gateways.map((p) => p.stop()));
    await Promise.allSettled([...this.webapps, ...this.rpcApps].map((p) => p.stop()));
    await this.redis?.stop();
  }

  private replica(app: AppName, index: number): AppProcess {
    const host =
      app === 'gateway' && index === 1 && this.options.firstGatewayHost
        ? this.options.firstGatewayHost
        : `${this.net}.${HOST_BASE[app] + index}`;
    const env: Record<string, string> = { ...this.options.env?.[app] };
    if (app === 'gateway') {
      env.WEBAPP_URL ??= this.webappUrl();
      env.RPC_TARGET ??= this.rpcTarget();
      if (this.redis) env.REDIS_URL ??= this.redis.url;
      if (this.redis?.options.password) env.REDIS_PASSWORD ??= this.redis.options.password;
    }
    return new AppProcess({
      app,
      name: `${app}#${index}`,
      host,
      ...LOCAL_PORTS[app],
      env,
      onLine: this.options.onLine,
      nodeArgs: this.options.nodeArgs,
      logFile: this.options.logFile?.(`${app}-${index}`),
    });
  }
}
