import type { OutlierPolicy } from '../traffic-policy';
import { Endpoint } from './endpoint';
import { LeastRequest } from './least-request';
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

/** Random numbers cycling through `values`: which "other" endpoint is the second choice. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('LeastRequest', () => {
  const detector = new OutlierDetector<Endpoint>(policy);

  it('is exact round robin while nothing is outstanding (every answer came back)', () => {
    const all = endpoints(3);
    const balancer = new LeastRequest(detector);
    const counts = new Map<Endpoint, number>();
    for (let i = 0; i < 300; i++) {
      const picked = balancer.pick(all)!;
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it('skips ejected endpoints and those a call already tried', () => {
    const all = endpoints(3);
    const balancer = new LeastRequest(detector);
    detector.recordFailure(all[1], 'connect', all);
    const picks = Array.from({ length: 4 }, () => balancer.pick(all)!.address);
    expect(picks).toEqual(['replica-0', 'replica-2', 'replica-0', 'replica-2']);
    expect(balancer.pick(all, [all[0], all[2]])?.address).toBe('replica-1'); // panic: better than none
    expect(balancer.pick(all, all)).toBeUndefined();
    expect(balancer.pick([])).toBeUndefined();
  });

  it('sends a call away from its round-robin turn when a random other has fewer outstanding', () => {
    const all = endpoints(3);
    const balancer = new LeastRequest(detector, sequence(0));
    all[0].health.outstanding = 2;
    all[1].health.outstanding = 1;
    // replica-0's turn: the other choice (replica-1, first of the others) holds fewer.
    expect(balancer.pick(all)).toBe(all[1]);
    // replica-1's turn: replica-2 (the first other after it) holds fewer still.
    expect(balancer.pick(all)).toBe(all[2]);
    // replica-2's turn: replica-0 holds more, so replica-2 keeps it (ties and worse stay put).
    expect(balancer.pick(all)).toBe(all[2]);
  });

  it('a replica that holds calls and answers none gets no more than floor((C - 1) / 2) + 1 of C in flight', () => {
    for (const clients of [2, 3, 4, 8, 9, 16]) {
      const all = endpoints(3);
      const [hung] = all;
      const balancer = new LeastRequest(detector, Math.random);
      // C closed-loop clients for many rounds: the healthy replicas answer at once (an answer frees
      // a slot), the hung one never does.
      let inFlightElsewhere = 0;
      for (let round = 0; round < 2000; round++) {
        while (hung.health.outstanding + inFlightElsewhere < clients) {
          const picked = balancer.pick(all)!;
          picked.health.outstanding++;
          if (picked !== hung) inFlightElsewhere++;
        }
        // One healthy answer comes back (if any is in flight), freeing its client.
        const answering = all.find((e) => e !== hung && e.health.outstanding > 0);
        if (!answering) break;
        answering.health.outstanding--;
        inFlightElsewhere--;
      }
      expect(hung.health.outstanding).toBeLessThanOrEqual(Math.floor((clients - 1) / 2) + 1);
      expect(hung.health.outstanding).toBeGreaterThanOrEqual(1);
    }
  });

  it('with two endpoints, the one holding fewer always wins', () => {
    const all = endpoints(2);
    const balancer = new LeastRequest(detector, Math.random);
    all[0].health.outstanding = 5;
    for (let i = 0; i < 10; i++) expect(balancer.pick(all)).toBe(all[1]);
  });
});
