import type { OutlierPolicy } from '../traffic-policy';
import { Endpoint } from './endpoint';
import { OutlierDetector } from './outlier-detector';
import { RoundRobin } from './round-robin';

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
  let detector: OutlierDetector;
  beforeEach(() => {
    now = 1_000_000;
    ejections = [];
    detector = new OutlierDetector(
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

  it('never ejects more than the max percent, but always allows one', () => {
    const three = endpoints(3);
    for (const endpoint of three) detector.recordFailure(endpoint, 'connect', three);
    expect(three.map((e) => detector.state(e))).toEqual(['ejected', 'healthy', 'healthy']);

    const one = endpoints(1);
    detector.recordFailure(one[0], 'connect', one);
    expect(detector.state(one[0])).toBe('ejected');
  });
});

describe('RoundRobin', () => {
  const detector = new OutlierDetector(policy);

  it('spreads picks evenly, per request', () => {
    const all = endpoints(3);
    const balancer = new RoundRobin(detector);
    const counts = new Map<Endpoint, number>();
    for (let i = 0; i < 300; i++) {
      const picked = balancer.pick(all)!;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it('skips ejected endpoints and those a call already tried', () => {
    const all = endpoints(3);
    const balancer = new RoundRobin(detector);
    detector.recordFailure(all[1], 'connect', all);
    const picks = Array.from({ length: 4 }, () => balancer.pick(all)!.address);
    expect(picks).toEqual(['replica-0', 'replica-2', 'replica-0', 'replica-2']);
    expect(balancer.pick(all, [all[0], all[2]])?.address).toBe('replica-1'); // panic: better than none
    expect(balancer.pick(all, all)).toBeUndefined();
    expect(balancer.pick([])).toBeUndefined();
  });
});
