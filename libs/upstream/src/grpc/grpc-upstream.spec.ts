import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { type ServiceError, status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { trafficPolicy } from '../traffic-policy';
import { testUpstreamMetrics } from '../upstream-metrics.fixture';
import type { UpstreamStates } from '../upstream-states';
import { GrpcUpstream, type UnaryInvoker } from './grpc-upstream';
import { PREVIOUS_ATTEMPTS_METADATA } from './least-request-lb';

const policy = trafficPolicy(
  loadConfig(gatewayEnv, {
    BREAKER_VOLUME_THRESHOLD: '1000',
    BREAKER_CONSECUTIVE_UNAVAILABLE: '1000',
  }),
);
const READ = { service: 'test.Service', method: 'Read' };
const WRITE = { service: 'test.Service', method: 'Write' };

/** An invoker that fails with the given statuses in turn, then answers; call n goes to replica-n. */
function scripted(failures: status[]) {
  let calls = 0;
  const deadlines: number[] = [];
  const previousAttempts: string[] = [];
  const invoke: UnaryInvoker<string> = (metadata, options, callback) => {
    deadlines.push(Number(options.deadline));
    previousAttempts.push(metadata.get(PREVIOUS_ATTEMPTS_METADATA).join(','));
    const failure = failures[calls++];
    const peer = `replica-${calls}`;
    setImmediate(() =>
      failure === undefined
        ? callback(null, 'ok')
        : callback(
            Object.assign(new Error(status[failure]), {
              code: failure,
              details: 'x',
            }) as ServiceError,
          ),
    );
    return { getPeer: () => peer } as never;
  };
  return { invoke, calls: () => calls, deadlines, previousAttempts };
}

describe('GrpcUpstream', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const upstreams: GrpcUpstream[] = [];
  afterEach(() => upstreams.splice(0).forEach((u) => u.stop()));
  const make = () => {
    const upstream = new GrpcUpstream(
      {
        name: 'rpc',
        target: 'ipv4:127.0.0.1:1',
        timeoutMs: 1000,
        idempotentMethods: [READ],
        policy,
      },
      testUpstreamMetrics().recorder,
      { register: jest.fn(), warmUp: jest.fn() } as unknown as UpstreamStates,
    );
    upstreams.push(upstream);
    return upstream;
  };

  it('retries an idempotent call that ends UNAVAILABLE', async () => {
    const { invoke, calls } = scripted([status.UNAVAILABLE]);
    await expect(make().unary(READ, 'id', invoke)).resolves.toBe('ok');
    expect(calls()).toBe(2);
  });

  it('names the replicas of earlier attempts on a retry, so the balancer picks another one', async () => {
    const { invoke, previousAttempts } = scripted([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
    await expect(make().unary(READ, 'id', invoke)).resolves.toBe('ok');
    expect(previousAttempts).toEqual(['', 'replica-1', 'replica-1,replica-2']);
  });

  it('never retries a method that is not idempotent', async () => {
    const { invoke, calls } = scripted([status.UNAVAILABLE]);
    await expect(make().unary(WRITE, 'id', invoke)).rejects.toMatchObject({ status: 503 });
    expect(calls()).toBe(1);
  });

  it('makes at most RETRY_MAX_ATTEMPTS attempts, the first included', async () => {
    const always = scripted(Array(10).fill(status.UNAVAILABLE));
    await expect(make().unary(READ, 'id', always.invoke)).rejects.toMatchObject({ status: 503 });
    expect(always.calls()).toBe(policy.retry.maxAttempts);
  });

  it('gives each attempt of an idempotent call its per-try deadline and retries one that hit it', async () => {
    const { invoke, calls, deadlines } = scripted([status.DEADLINE_EXCEEDED]);
    const startedAt = Date.now();
    const call = {
      timeoutMs: 5000,
      maxAttempts: undefined,
      idempotent: true,
      perTryTimeoutMs: 300,
    };
    await expect(make().unary(READ, 'id', invoke, call)).resolves.toBe('ok');
    expect(calls()).toBe(2);
    for (const deadline of deadlines) expect(deadline - startedAt).toBeLessThan(1000);
  });

  it('gives the last attempt of an idempotent call what is left of the deadline', async () => {
    const { invoke, calls, deadlines } = scripted([
      status.DEADLINE_EXCEEDED,
      status.DEADLINE_EXCEEDED,
    ]);
    const startedAt = Date.now();
    const call = { timeoutMs: 5000, maxAttempts: 2, idempotent: true, perTryTimeoutMs: 300 };
    await expect(make().unary(READ, 'id', invoke, call)).rejects.toMatchObject({ status: 504 });
    expect(calls()).toBe(2);
    expect(deadlines[0] - startedAt).toBeLessThan(1000);
    expect(deadlines[1] - startedAt).toBeGreaterThanOrEqual(4000);
  });

  it('gives a call that may not run twice the whole deadline in one attempt, never retried', async () => {
    const { invoke, calls, deadlines } = scripted([status.DEADLINE_EXCEEDED]);
    const startedAt = Date.now();
    const call = {
      timeoutMs: 5000,
      maxAttempts: undefined,
      idempotent: false,
      perTryTimeoutMs: 300,
    };
    await expect(make().unary(WRITE, 'id', invoke, call)).rejects.toMatchObject({ status: 504 });
    expect(calls()).toBe(1);
    expect(deadlines[0] - startedAt).toBeGreaterThanOrEqual(4000);
  });

  it('retries only UNAVAILABLE and DEADLINE_EXCEEDED', async () => {
    const internal = scripted([status.INTERNAL]);
    await expect(make().unary(READ, 'id', internal.invoke)).rejects.toMatchObject({ status: 502 });
    expect(internal.calls()).toBe(1);
  });

  it('stops retrying when the retry budget is spent', async () => {
    const upstream = make();
    let attempts = 0;
    for (let i = 0; i < 30; i++) {
      const { invoke, calls } = scripted(Array(10).fill(status.UNAVAILABLE));
      await upstream.unary(READ, 'id', invoke).catch(() => undefined);
      attempts += calls();
    }
    // Nothing succeeds: every failed attempt takes a token and retries need more than half the
    // bucket (gRFC A6): maxTokens / 2 attempts fail before retries stop, then one per call.
    const budgetAttempts = policy.retry.maxTokens / 2;
    const callsWithinBudget = Math.ceil(budgetAttempts / policy.retry.maxAttempts);
    expect(attempts).toBe(budgetAttempts + (30 - callsWithinBudget));
  });
});
