import { AppProcess, type AppProcessOptions } from './app-process.ts';
import { DnsServer } from './dns-server.ts';
import type { AppName } from './paths.ts';
import { RedisProcess } from './redis-process.ts';

/** Public and admin ports of each app when run locally (docs/architecture.md); replicas differ by address. */
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

/** In "dns" discovery the stack's DNS server listens on <net>.2 at this (unprivileged) port. */
export const LOCAL_DNS_PORT = 8053;

export type Backend = 'webapp-1' | 'rpc-app-1';

/** How the gateways find the backends. */
export type Discovery =
  /** WEBAPP_URL / RPC_TARGET list every replica's address (fixed at gateway start). */
  | 'addresses'
  /**
   * By name, as in Kubernetes: `webapp-1.stack.test` / `rpc-app-1.stack.test`, answered by the
   * stack's own DNS server with the current replicas; added and removed replicas are published.
   */
  | 'dns';

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
  /** How gateways find the backends (default: "addresses"). */
  discovery?: Discovery;
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
  /** The stack's DNS server, in "dns" discovery. */
  readonly dns: DnsServer | undefined;

  constructor(options: StackOptions = {}) {
    this.options = options;
    this.net = options.net ?? randomLoopbackNet();
    if (options.redis)
      this.redis = new RedisProcess({
        host: `${this.net}.${REDIS_HOST}`,
        port: REDIS_PORT,
        password: options.redis === true ? undefined : options.redis.password,
      });
    if (options.discovery === 'dns') this.dns = new DnsServer(`${this.net}.2`, LOCAL_DNS_PORT);
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

  /** The name a backend is published under in "dns" discovery, e.g. webapp-1.stack.test. */
  static serviceName(app: Backend): string {
    return `${app}.stack.test`;
  }

  /** WEBAPP_URL for the gateways: the service name, or every webapp-1 replica's base URL. */
  webappUrl(): string {
    const { port } = LOCAL_PORTS['webapp-1'];
    if (this.dns) return `http://${Stack.serviceName('webapp-1')}:${port}`;
    return this.webapps.map((p) => `http://${p.address}`).join(',');
  }

  /** RPC_TARGET for the gateways: the service name at the stack's DNS server, or every replica. */
  rpcTarget(): string {
    const { port } = LOCAL_PORTS['rpc-app-1'];
    if (this.dns) return `dns://${this.dns.address}/${Stack.serviceName('rpc-app-1')}:${port}`;
    return `ipv4:${this.rpcApps.map((p) => p.address).join(',')}`;
  }

  /** The replicas of a backend. */
  replicas(app: Backend): AppProcess[] {
    return app === 'webapp-1' ? this.webapps : this.rpcApps;
  }

  /** Starts Redis and DNS (if any) and the backends, then the gateways; resolves when all are ready. */
  async start(): Promise<this> {
    try {
      if (this.redis) {
        this.redis.start();
        await this.redis.waitReady();
      }
      if (this.dns) {
        await this.dns.start();
        this.publish('webapp-1');
        this.publish('rpc-app-1');
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

  /**
   * Adds one more replica of a backend (not started). In "dns" discovery it is published under the
   * backend's name at once, as a scale-up would (a killed replica stays published too: DNS lags).
   */
  addReplica(app: Backend): AppProcess {
    const list = this.replicas(app);
    const replica = this.replica(app, list.length + 1);
    list.push(replica);
    this.publish(app);
    return replica;
  }

  /** Takes a replica out of the stack (and out of DNS), then stops it. */
  async removeReplica(replica: AppProcess): Promise<void> {
    const list = this.replicas(replica.app as Backend);
    list.splice(list.indexOf(replica), 1);
    this.publish(replica.app as Backend);
    await replica.stop();
  }

  /** Stops everything: gateways first, as a rollout would, then the backends, Redis and DNS. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.gateways.map((p) => p.stop()));
    await Promise.allSettled([...this.webapps, ...this.rpcApps].map((p) => p.stop()));
    await this.redis?.stop();
    await this.dns?.stop();
  }

  private publish(app: Backend): void {
    this.dns?.set(
      Stack.serviceName(app),
      this.replicas(app).map((p) => p.host),
    );
  }

  private replica(app: AppName, index: number): AppProcess {
    const host =
      app === 'gateway' && index === 1 && this.options.firstGatewayHost
        ? this.options.firstGatewayHost
        : `${this.net}.${HOST_BASE[app] + index}`;
    const env: Record<string, string> = { ...this.options.env?.[app] };
    if (app === 'gateway') {
      // A route file names the upstreams itself (the gateway refuses both beside it).
      if (env.ROUTES_FILE === undefined) {
        env.WEBAPP_URL ??= this.webappUrl();
        env.RPC_TARGET ??= this.rpcTarget();
      }
      if (this.redis) env.REDIS_URL ??= this.redis.url;
      if (this.redis?.options.password) env.REDIS_PASSWORD ??= this.redis.options.password;
      if (this.dns) {
        env.DNS_SERVERS ??= this.dns.address;
        env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER ??= 'true';
      }
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
