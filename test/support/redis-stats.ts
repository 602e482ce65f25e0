import { Redis } from 'ioredis';
import type { RedisProcess } from '../../process-topology/index.ts';

/**
 * Round trips the gateways made to a test's redis-server: a connection of the test's own reads
 * `INFO commandstats` and resets it. Script calls (EVALSHA, EVAL) are what the gateways send;
 * the commands a script runs inside Redis are listed too but are not round trips, so only the
 * top-level calls count.
 */
export class RedisCalls {
  private readonly redis: Redis;

  constructor(process: RedisProcess) {
    this.redis = new Redis({
      host: process.options.host,
      port: process.options.port,
      password: process.options.password,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectionName: 'e2e-commandstats',
    });
  }

  /** Starts counting from zero. */
  async reset(): Promise<void> {
    await this.redis.config('RESETSTAT');
  }

  /** Script calls (EVALSHA, EVAL, SCRIPT LOAD) since the last reset: the limiter's round trips. */
  async calls(): Promise<number> {
    const info = await this.redis.info('commandstats');
    let calls = 0;
    for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) {
      if (['evalsha', 'eval', 'script|load'].includes(match[1])) calls += Number(match[2]);
    }
    return calls;
  }

  close(): void {
    this.redis.disconnect();
  }
}
