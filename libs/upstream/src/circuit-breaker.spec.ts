import { HttpException } from '@nestjs/common';
import { type BreakerState, CircuitOpenException, UpstreamCircuitBreaker } from './circuit-breaker';
import { UpstreamException } from './upstream.exception';

const policy = {
  consecutiveUnavailable: 5,
  errorThresholdPercent: 50,
  volumeThreshold: 4,
  windowMs: 10_000,
  resetTimeoutMs: 300,
};
const unreachable = () =>
  Promise.reject(new UpstreamException('svc', 'unavailable', 'ECONNREFUSED'));
const badResponse = () => Promise.reject(new UpstreamException('svc', 'bad_response', 'HTTP 500'));
const ok = () => Promise.resolve('ok');

describe('UpstreamCircuitBreaker', () => {
  let breaker: UpstreamCircuitBreaker;
  let transitions: BreakerState[];
  beforeEach(() => {
    jest.useFakeTimers();
    transitions = [];
    breaker = new UpstreamCircuitBreaker('svc', policy, (state) => transitions.push(state));
  });
  afterEach(() => {
    breaker.shutdown();
    jest.useRealTimers();
  });

  it('partial failure: stays closed below the volume threshold, then opens above the error threshold', async () => {
    // Failures that are not "no replica reachable" (5xx answers) count only for the percentage.
    for (let i = 0; i < 3; i++)
      await expect(breaker.run(badResponse)).rejects.toBeInstanceOf(UpstreamException);
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(badResponse)).rejects.not.toBeInstanceOf(CircuitOpenException);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['open']);
  });

  it('partial failure: stays closed while at most errorThresholdPercent of the window failed', async () => {
    for (let i = 0; i < 50; i++) {
      await breaker.run(ok);
      await breaker.run(i % 2 === 0 ? unreachable : badResponse).catch(() => undefined);
    }
    // 50 of 100 calls failed: not more than 50 %, and never 5 unreachable in a row.
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual([]);
  });

  it('total outage: consecutiveUnavailable unreachable calls in a row open it, whatever the window holds', async () => {
    for (let i = 0; i < 1000; i++) await breaker.run(ok);
    for (let i = 0; i < policy.consecutiveUnavailable - 1; i++)
      await breaker.run(unreachable).catch(() => undefined);
    expect(breaker.state).toBe('closed'); // 4 of 1004 failed: the percentage rule alone would wait
    await expect(breaker.run(unreachable)).rejects.not.toBeInstanceOf(CircuitOpenException);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['open']);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenException);
  });

  it('total outage: any other outcome in between starts the count again', async () => {
    for (let i = 0; i < 1000; i++) await breaker.run(ok);
    for (const between of [ok, badResponse]) {
      for (let i = 0; i < policy.consecutiveUnavailable - 1; i++)
        await breaker.run(unreachable).catch(() => undefined);
      await breaker.run(between).catch(() => undefined);
    }
    expect(breaker.state).toBe('closed');
  });

  it('while open, fails at once with 503 + Retry-After and never calls the upstream', async () => {
    for (let i = 0; i < 4; i++) await breaker.run(badResponse).catch(() => undefined);
    const call = jest.fn(ok);
    const error = await breaker.run(call).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CircuitOpenException);
    expect((error as CircuitOpenException).getStatus()).toBe(503);
    expect((error as CircuitOpenException).headers).toEqual({ 'retry-after': '1' });
    expect((error as CircuitOpenException).getResponse()).toMatchObject({
      upstream: 'svc',
      reason: 'circuit breaker open',
    });
    expect(call).not.toHaveBeenCalled();
  });

  it('lets one trial through after the reset timeout: success closes, failure re-opens', async () => {
    for (let i = 0; i < policy.consecutiveUnavailable; i++)
      await breaker.run(unreachable).catch(() => undefined);
    expect(breaker.state).toBe('open');
    jest.advanceTimersByTime(policy.resetTimeoutMs - 1);
    expect(breaker.state).toBe('open');
    jest.advanceTimersByTime(1);
    expect(breaker.state).toBe('half_open');
    await expect(breaker.run(unreachable)).rejects.toBeInstanceOf(UpstreamException);
    expect(breaker.state).toBe('open');
    jest.advanceTimersByTime(policy.resetTimeoutMs);
    await expect(breaker.run(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it("does not count the client's faults", async () => {
    const clientFault = () => Promise.reject(new HttpException({ message: 'id must be ...' }, 400));
    for (let i = 0; i < 20; i++)
      await expect(breaker.run(clientFault)).rejects.toBeInstanceOf(HttpException);
    expect(breaker.state).toBe('closed');
  });
});
