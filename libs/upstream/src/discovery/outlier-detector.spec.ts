import type { OutlierPolicy } from '../traffic-policy';
import { Endpoint } from './endpoint';
import { OutlierDetector } from './outlier-detector';

const policy: OutlierPolicy = {
  consecutiveFailures: 3,
  intervalMs: 10_000,
  baseEjectionMs: 1000,
  maxEjectionMs: 2500,
  maxEjectionPercent: 50,
};

function endpoints(count: number): Endpoint[] {
  const target = { hostname: 'svc.test', port: 5000, authority: 'svc.test:5000', basePath: '' };
  return Array.from({ length: count }, (_, i) => new Endpoint(`replica-${i}`, target));
}

describe('OutlierDetector', () => {
  let now: number;
  let ejections: Array<[string, number]>;
  let detector: OutlierDetector<Endpoint>;
  beforeEach(() => {
    now = 1_000_000;
    ejections = [];
    detector = new OutlierDetector<Endpoint>(
      policy,
      (endpoint, ms) => ejections.push([endpoint.key, ms]),
      () => now,
    );
  });

  it('ejects at once when a connection cannot be made', () => {
    const all = endpoints(3);
    detector.recordFailure(all[0], 'connect', all);
    expect(detector.state(all[0])).toBe('ejected');
    expect(ejections).toEqual([['replica-0:5000', 1000]]);
  });

  it('ejects after N consecutive response failures; a success in between resets the count', () => {
    const all = endpoints(3);
    detector.recordFailure(all[0], 'response', all);
    detector.recordFailure(all[0], 'response', all);
    detector.recordSuccess(all[0]);
    detector.recordFailure(all[0], 'response', all);
    detector.recordFailure(all[0], 'response', all);
    expect(detector.state(all[0])).toBe('healthy');
    detector.recordFailure(all[0], 'response', all);
    expect(detector.state(all[0])).toBe('ejected');
  });

  it('probes an endpoint back in: success returns it, failure ejects it for longer, up to the max', () => {
    const all = endpoints(3);
    detector.recordFailure(all[0], 'connect', all);
    now += 1000;
    expect(detector.state(all[0])).toBe('probing');
    detector.recordFailure(all[0], 'response', all); // one failed probe is enough
    expect(ejections.map(([, ms]) => ms)).toEqual([1000, 2000]);
    now += 2000;
    detector.recordFailure(all[0], 'connect', all);
    expect(ejections.map(([, ms]) => ms)).toEqual([1000, 2000, 2500]);
    now += 2500;
    detector.recordSuccess(all[0]);
    expect(detector.state(all[0])).toBe('healthy');
  });

  it('forgets one ejection per healthy interval', () => {
    const all = endpoints(3);
    detector.recordFailure(all[0], 'connect', all);
    now += 1000;
    detector.recordFailure(all[0], 'connect', all); // second ejection: 2000
    now += 2000;
    detector.recordSuccess(all[0]);
    now += 2 * policy.intervalMs;
    detector.recordFailure(all[0], 'connect', all);
    expect(ejections.map(([, ms]) => ms)).toEqual([1000, 2000, 1000]);
  });

  it('ejects by failure percentage, as grpc-js does: half of 10 calls within an interval failed', () => {
    const all = endpoints(3);
    // Alternating failures: never consecutiveFailures in a row.
    for (let i = 0; i < 9; i++)
      if (i % 2 === 0) detector.recordFailure(all[0], 'response', all);
      else detector.recordSuccess(all[0]);
    expect(detector.state(all[0])).toBe('healthy'); // 5 of 9: fewer than 10 calls
    detector.recordSuccess(all[0]);
    expect(detector.state(all[0])).toBe('healthy'); // 5 of 10 so far, judged on a failure
    detector.recordFailure(all[0], 'response', all);
    expect(detector.state(all[0])).toBe('ejected'); // 6 of 11
  });

  it('judges failure percentage per interval: an earlier interval does not count', () => {
    const all = endpoints(3);
    for (let i = 0; i < 8; i++)
      if (i % 2 === 0) detector.recordFailure(all[0], 'response', all);
      else detector.recordSuccess(all[0]);
    now += policy.intervalMs;
    for (let i = 0; i < 8; i++)
      if (i % 2 === 0) detector.recordFailure(all[0], 'response', all);
      else detector.recordSuccess(all[0]);
    expect(detector.state(all[0])).toBe('healthy');
  });

  it('never ejects more than the max percent for failed answers, but always allows one', () => {
    const three = endpoints(3);
    for (let i = 0; i < policy.consecutiveFailures; i++)
      for (const endpoint of three) detector.recordFailure(endpoint, 'response', three);
    expect(three.map((e) => detector.state(e))).toEqual(['ejected', 'healthy', 'healthy']);

    const one = endpoints(1);
    for (let i = 0; i < policy.consecutiveFailures; i++)
      detector.recordFailure(one[0], 'response', one);
    expect(detector.state(one[0])).toBe('ejected');
  });

  it('ejects endpoints that refuse connections regardless of the cap (a rolling restart)', () => {
    const three = endpoints(3);
    detector.recordFailure(three[0], 'connect', three);
    detector.recordFailure(three[1], 'connect', three);
    expect(three.map((e) => detector.state(e))).toEqual(['ejected', 'ejected', 'healthy']);
  });
});
