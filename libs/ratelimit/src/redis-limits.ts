import { Redis, type RedisOptions, ReplyError } from 'ioredis';
import type { SharedBudgets, SyncReply, SyncRequest } from './shared-budgets';
import { type SharedWindows, StoreError, type WindowHit } from './shared-windows';
import { SYNC_SCRIPT } from './sync-script';
import { decodeSyncReply, encodeSyncCall } from './sync-script-layout';

/**
 * One decision, one round trip: count the request in the key's window and return the count and the
 * time left. The first request of a window (no TTL yet) starts it; PTTL < 0 also heals a key that
 * lost its TTL. Atomic because Redis runs a script alone, so replicas never race on a window.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** How long one connection attempt may take before ioredis gives up and schedules the next. */
const CONNECT_TIMEOUT_MS = 1000;
/** Reconnect backoff: 100 ms, 200 ms, ... at most once a second, and never give up. */
const reconnectDelay = (attempt: number): number => Math.min(attempt * 100, 1000);

type ScriptedRedis = Redis & {
  rateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
  rateLimitSync(keys: number, ...keysAndArgs: Array<string | number>): Promise<number[]>;
};

/** How to reach Redis, and how long one command may take. */
export interface RedisConnectionOptions {
  url: string;
  /** Overrides a password in the URL (e.g. one from a Kubernetes Secret). */
  password?: string;
  /** Budget of every command; a slower answer is an error, so a request never waits longer. */
  commandTimeoutMs: number;
}

/**
 * The limits' shared state in Redis, for every gateway replica: per-request mode's fixed-window
 * counters and background mode's budgets. ioredis is set up so that a request is never held back
 * by Redis trouble: commands fail at once while disconnected (no offline queue, no retries, no
 * resend after a reconnect) and after `commandTimeoutMs` when Redis is slow; the connection itself
 * keeps reconnecting in the background.
 */
export class RedisLimits implements SharedWindows, SharedBudgets {
  private readonly redis: ScriptedRedis;
  /** Where the store lives, for log lines: the URL without credentials. */
  readonly target: string;

  constructor(options: RedisConnectionOptions) {
    const url = new URL(options.url);
    if (options.password !== undefined) url.password = '';
    this.target = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    const redisOptions: RedisOptions = {
      password: options.password,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: CONNECT_TIMEOUT_MS,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: reconnectDelay,
      connectionName: 'gateway-ratelimit',
      lazyConnect: true,
    };
    this.redis = new Redis(url.toString(), redisOptions) as ScriptedRedis;
    // Failures reach the store through the commands that fail; without a listener ioredis would
    // print every failed reconnect attempt to stderr.
    this.redis.on('error', () => undefined);
    // EVALSHA with the script's hash; ioredis loads the script again by itself after a Redis
    // restart (NOSCRIPT), so a request never sends the whole script text.
    this.redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // The number of keys varies per sync: passed as the first argument.
    this.redis.defineCommand('rateLimitSync', { lua: SYNC_SCRIPT });
  }

  /**
   * Starts connecting; resolves undefined once Redis is ready, or the first connection error (the
   * client keeps reconnecting in the background either way).
   */
  connect(): Promise<Error | undefined> {
    return new Promise((resolve) => {
      const settle = (err?: Error) => {
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        resolve(err);
      };
      const onReady = () => settle();
      const onError = (err: Error) => settle(err);
      this.redis.once('ready', onReady);
      this.redis.once('error', onError);
      this.redis.connect().catch(() => undefined);
    });
  }

  async hit(key: string, windowMs: number): Promise<WindowHit> {
    try {
      const [count, resetMs] = await this.redis.rateLimitHit(key, windowMs);
      return { count, resetMs };
    } catch (err) {
      throw storeError(err);
    }
  }

  /** One background sync: heartbeat and every claim, in one EVALSHA. */
  async sync(request: SyncRequest): Promise<SyncReply> {
    const { keys, args } = encodeSyncCall(request);
    let reply: number[];
    try {
      reply = await this.redis.rateLimitSync(keys.length, ...keys, ...args);
    } catch (err) {
      throw storeError(err);
    }
    return decodeSyncReply(reply, request.claims.length);
  }

  /** Called each time the connection is (re-)established and Redis is ready for commands. */
  onReady(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  close(): void {
    this.redis.disconnect();
  }
}

function storeError(err: unknown): StoreError {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof ReplyError) return new StoreError('error', message);
  return new StoreError(message === 'Command timed out' ? 'timeout' : 'unavailable', message);
}
