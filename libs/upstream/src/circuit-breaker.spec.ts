import { HttpException } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BreakerState, CircuitOpenException, UpstreamCircuitBreaker } from './circuit-breaker';
import { UpstreamException } from './upstream.exception';

const policy = {
  errorThresholdPercent: 50,
  volumeThreshold: 4,
  windowMs: 10_000,
  resetTimeoutMs: 300,
};
const fail = () => Promise.reject(new UpstreamException('svc', 'unavailable', 'ECONNREFUSED'));
const ok = () => Promise.resolve('ok');

describe('UpstreamCircuitBreaker', () => {
  let breaker: UpstreamCircuitBreaker;
  let transitions: BreakerState[];
  beforeEach(() => {
    transitions = [];
    breaker = new UpstreamCircuitBreaker('svc', policy, (state) => transitions.push(state));
  });
  afterEach(() => breaker.shutdown());

  it('stays closed below the volume threshold, then opens above the error threshold', async () => {
    for (let i = 0; i < 3; i++)
      await expect(breaker.run(fail)).rejects.toBeInstanceOf(UpstreamException);
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(fail)).rejects.not.toBeInstanceOf(CircuitOpenException);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['open']);
  });

  it('while open, fails at once with 503 + Retry-After and never calls the upstream', async () => {
    for (let i = 0; i < 4; i++) await breaker.run(fail).catch(() => undefined);
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
    for (let i = 0; i < 4; i++) await breaker.run(fail).catch(() => undefined);
    await sleep(policy.resetTimeoutMs + 50);
    expect(breaker.state).toBe('half_open');
    await expect(breaker.run(fail)).rejects.toBeInstanceOf(UpstreamException);
    expect(breaker.state).toBe('open');
    await sleep(policy.resetTimeoutMs + 50);
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
