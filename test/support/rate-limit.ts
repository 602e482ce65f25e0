import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess, Stack, StackOptions } from '../../process-topology/index.ts';
import { eventually } from './eventually.ts';
import { testStack } from './stack.ts';
import { requireTool } from './tools.ts';

/** An answer that took longer than this counts as hung. */
export const HUNG_MS = 5000;

export interface Answer {
  /** 0 when no answer came (connection error or hung). */
  status: number;
  ms: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Index of the gateway that answered (in the list the request was spread over). */
  gateway: number;
  /** When the request was sent (Date.now()). */
  at: number;
  error?: string;
}

/**
 * A client with its own address: its requests leave from `localAddress` (any 127.x.y.z works on
 * Linux), so the gateway sees a distinct client without trusting any header. Keep-alive, as real
 * clients are.
 */
export class Client {
  readonly localAddress: string;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });

  constructor(localAddress: string) {
    this.localAddress = localAddress;
  }

  post(
    gateway: AppProcess,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Omit<Answer, 'gateway'>> {
    const payload = JSON.stringify(body);
    const at = Date.now();
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (answer: Partial<Answer>) =>
        resolve({
          status: 0,
          headers: {},
          body: '',
          ...answer,
          ms: performance.now() - started,
          at,
        });
      const req = request(
        {
          host: gateway.host,
          port: gateway.port,
          path,
          method: 'POST',
          agent: this.agent,
          localAddress: this.localAddress,
          headers: { 'content-type': 'application/json', ...headers },
          timeout: HUNG_MS,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
          );
          res.on('error', (err) => done({ error: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${HUNG_MS} ms`)));
      req.on('error', (err) => done({ error: err.message }));
      req.end(payload);
    });
  }

  /**
   * `count` requests spread round-robin over the gateways, `concurrency` at a time. Every answer
   * is returned, in sending order.
   */
  async burst(
    gateways: AppProcess[],
    path: string,
    count: number,
    options: { concurrency?: number; headers?: (i: number) => Record<string, string> } = {},
  ): Promise<Answer[]> {
    const answers: Answer[] = new Array(count);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const gateway = i % gateways.length;
        const answer = await this.post(
          gateways[gateway],
          path,
          bodyFor(path, i),
          options.headers?.(i),
        );
        answers[i] = { ...answer, gateway };
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 9 }, worker));
    return answers;
  }

  /**
   * As many requests as `concurrency` workers can send in `durationMs`, each to the gateway
   * `pick(i)` names for the i-th request (an uneven spread, say). Every answer, in sending order.
   */
  async during(
    gateways: AppProcess[],
    path: string,
    durationMs: number,
    options: { concurrency: number; pick: (i: number) => number },
  ): Promise<Answer[]> {
    const answers: Answer[] = [];
    const until = Date.now() + durationMs;
    let next = 0;
    const worker = async () => {
      while (Date.now() < until) {
        const i = next++;
        const gateway = options.pick(i);
        const answer = await this.post(gateways[gateway], path, bodyFor(path, i));
        answers[i] = { ...answer, gateway };
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return answers;
  }

  /**
   * Steady background load until stop() (or maxMs, so it always ends): one worker per gateway,
   * each sending its next request `pauseMs` after the previous answer.
   */
  steadyLoad(gateways: AppProcess[], path: string, pauseMs = 10, maxMs = 90_000) {
    const answers: Answer[] = [];
    let running = true;
    const until = Date.now() + maxMs;
    const workers = gateways.map(async (gateway, index) => {
      for (let i = 0; running && Date.now() < until; i++) {
        answers.push({ ...(await this.post(gateway, path, bodyFor(path, i))), gateway: index });
        await sleep(pauseMs);
      }
    });
    return {
      answers,
      stop: async (): Promise<Answer[]> => {
        running = false;
        await Promise.all(workers);
        return answers;
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Clients on a stack's loopback net, each with its own address (.200, .201, ...). */
export class Clients {
  private readonly made: Client[] = [];
  private nextByte = 200;
  private readonly net: () => string;

  constructor(net: () => string) {
    this.net = net;
  }

  /** A client with an address no other client of this pool has. */
  next(): Client {
    const client = new Client(`${this.net()}.${this.nextByte++}`);
    this.made.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.made) client.close();
  }
}

/**
 * Three gateways sharing one limit through a real redis-server, with `gateway` env on top, started
 * before the describe block's tests and stopped after them, with their clients. The Redis timeout
 * is generous: these tests count, and a GC pause on a busy machine must not switch a gateway to
 * local limiting (ratelimit-outage.e2e-spec.ts covers that).
 */
export function sharedLimitStack(
  gateway: Record<string, string>,
  redis: StackOptions['redis'] = true,
): { stack: Stack; clients: Clients } {
  requireTool('redis-server', 'redis-server');
  const stack = testStack({
    gateways: 3,
    redis,
    env: { gateway: { ...gateway, RATE_LIMIT_REDIS_TIMEOUT_MS: '2000' } },
  });
  const clients = new Clients(() => stack.net);
  beforeAll(() => stack.start());
  afterAll(async () => {
    clients.closeAll();
    await stack.stop();
  });
  return { stack, clients };
}

function bodyFor(path: string, i: number): unknown {
  return path.startsWith('/verify') ? { id: 1 + i, token: 't' } : { title: `rate-limit-${i}` };
}

export function count(answers: Answer[], status: number): number {
  return answers.filter((a) => a.status === status).length;
}

/** The q-th quantile of the answer times, in ms (nearest rank). */
export function quantile(answers: Answer[], q: number): number {
  const sorted = answers.map((a) => a.ms).sort((x, y) => x - y);
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** "p50/p99/max" in whole ms. */
export function latencies(answers: Answer[]): string {
  return [0.5, 0.99, 1].map((q) => Math.round(quantile(answers, q))).join('/');
}

/** The value of one series in a Prometheus text exposition, or undefined. */
export function metric(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const series = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** A gateway's current rate-limit store mode, from its own metrics. */
export async function storeMode(gateway: AppProcess): Promise<string | undefined> {
  const response = await fetch(`${gateway.adminUrl}/metrics`, {
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return ['shared', 'local', 'embedded'].find(
    (mode) => metric(text, 'ratelimit_store_mode', { mode }) === 1,
  );
}

/** Waits until every gateway reports `mode`; returns how long it took (ms). */
export async function waitForMode(
  gateways: AppProcess[],
  mode: string,
  timeoutMs = 15_000,
): Promise<number> {
  const started = Date.now();
  let modes: Array<string | undefined> = [];
  await eventually(
    async () => {
      modes = await Promise.all(gateways.map(storeMode));
      return modes.every((m) => m === mode);
    },
    { timeoutMs, what: `every gateway in mode ${mode} (they report ${modes.join(', ')})` },
  );
  return Date.now() - started;
}

/** Log lines of a gateway with this message fragment. */
export function logsWith(gateway: AppProcess, fragment: string) {
  return gateway.logs.filter((line) => typeof line.msg === 'string' && line.msg.includes(fragment));
}

/**
 * A gateway picker for `Client.during` that sends the given percentages to each gateway, in a
 * fixed interleaved order (e.g. [70, 20, 10]: 7 of every 10 requests to the first gateway).
 */
export function spread(percentages: number[]): (i: number) => number {
  const slots: number[] = [];
  const unit = percentages.reduce((a, b) => gcd(a, b));
  const per = percentages.map((p) => p / unit);
  const total = per.reduce((a, b) => a + b, 0);
  // Largest-remainder interleaving: slot k goes to the gateway furthest behind its share.
  const given = per.map(() => 0);
  for (let k = 1; k <= total; k++) {
    let best = 0;
    for (let g = 1; g < per.length; g++)
      if ((per[g] * k) / total - given[g] > (per[best] * k) / total - given[best]) best = g;
    given[best]++;
    slots.push(best);
  }
  return (i) => slots[i % slots.length];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
