import {
  type LeaseElection,
  leaseElection,
  type LeaseRecord,
  type LeaseStore,
} from './lease-election';

const DURATION = 15000;
const RENEW = 2000;
/** Each store call answers this long after it is made, so replicas' calls interleave. */
const LATENCY = 10;

/**
 * One Lease object as the API server keeps it: every write bumps the resourceVersion, a replace
 * at a stale one and a create of an existing lease are rejected. Each replica reaches it through
 * its own view, which a test can cut off (`down`: calls fail) or hang (`hang`: calls never answer).
 */
class MemoryLease {
  record: LeaseRecord | null = null;
  version = 0;
  /** Conditional writes rejected because another write came first. */
  conflicts = 0;
  /** Local time of the last write that changed the lease. */
  lastWriteAt = 0;

  set(record: LeaseRecord) {
    this.record = structuredClone(record);
    this.version += 1;
    this.lastWriteAt = performance.now();
  }

  view(): LeaseStore & { down: boolean; hang: boolean } {
    const answer = <T>(operation: () => T) =>
      new Promise<T>((resolve, reject) => {
        if (view.hang) return;
        setTimeout(() => {
          if (view.down) return reject(new Error('connect ECONNREFUSED'));
          try {
            resolve(operation());
          } catch (error) {
            reject(error as Error);
          }
        }, LATENCY);
      });
    const view = {
      down: false,
      hang: false,
      get: () =>
        answer(() =>
          this.record
            ? { record: structuredClone(this.record), resourceVersion: String(this.version) }
            : null,
        ),
      create: (record: LeaseRecord) =>
        answer(() => {
          if (this.record) {
            this.conflicts += 1;
            throw new Error('leases "gateway" already exists');
          }
          this.set(record);
          return String(this.version);
        }),
      replace: (record: LeaseRecord, resourceVersion: string) =>
        answer(() => {
          if (!this.record || resourceVersion !== String(this.version)) {
            this.conflicts += 1;
            throw new Error('Operation cannot be fulfilled on leases "gateway": conflict');
          }
          this.set(record);
          return String(this.version);
        }),
    };
    return view;
  }
}

interface Candidate {
  identity: string;
  store: ReturnType<MemoryLease['view']>;
  election: LeaseElection;
  started: number;
  stopped: number;
  errors: unknown[];
}

let candidates: Candidate[];
/** Who started and stopped leading, in order, shared by all candidates of a test. */
let events: string[];
let unhandled: unknown[];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  jest.useFakeTimers();
  candidates = [];
  events = [];
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  const stopping = Promise.all(candidates.map(({ election }) => election.stop()));
  await jest.advanceTimersByTimeAsync(4 * RENEW);
  await stopping;
  jest.useRealTimers();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function candidate(lease: MemoryLease, identity: string): Candidate {
  const store = lease.view();
  const self: Candidate = {
    identity,
    store,
    started: 0,
    stopped: 0,
    errors: [],
    election: leaseElection(store, {
      identity,
      onStartedLeading: () => {
        self.started += 1;
        events.push(`${identity} started`);
      },
      onStoppedLeading: () => {
        self.stopped += 1;
        events.push(`${identity} stopped`);
      },
      onError: (error) => self.errors.push(error),
    }),
  };
  candidates.push(self);
  return self;
}

/**
 * Advances the fake clock in small steps, checking at each that no two candidates lead at once,
 * whether asked (isLeader) or as told by their callbacks (started but not yet stopped).
 */
async function advance(ms: number) {
  for (let left = ms; left > 0; left -= 5) {
    await jest.advanceTimersByTimeAsync(Math.min(5, left));
    const leaders = candidates.filter(({ election }) => election.isLeader());
    expect(leaders.map(({ identity }) => identity).length).toBeLessThanOrEqual(1);
    const acting = candidates.filter(({ started, stopped }) => started > stopped);
    expect(acting.map(({ identity }) => identity).length).toBeLessThanOrEqual(1);
  }
}

const leader = () => candidates.filter(({ election }) => election.isLeader());

describe('leaseElection', () => {
  it('takes a lease nobody holds at its first try', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    expect(a.election.isLeader()).toBe(false);
    await advance(100);
    expect(a.election.isLeader()).toBe(true);
    expect(a.started).toBe(1);
    expect(lease.record).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
  });

  it('leaves the lease to a holder that keeps renewing it, however long', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(100);
    const firstRenewal = lease.record!.renewTime.getTime();
    const b = candidate(lease, 'b');
    await advance(3 * DURATION);
    expect(b.started).toBe(0);
    expect(b.election.isLeader()).toBe(false);
    expect(a.election.isLeader()).toBe(true);
    expect(a.stopped).toBe(0);
    expect(lease.record!.holderIdentity).toBe('a');
    expect(lease.record!.renewTime.getTime()).toBeGreaterThan(firstRenewal + 2 * DURATION);
  });

  it('never compares clocks: a holder whose clock is an hour behind keeps a lease it renews', async () => {
    const lease = new MemoryLease();
    // Another node, its wall clock an hour behind ours, renewing every RENEW.
    const behind = () => new Date(Date.now() - 3600_000);
    const renew = () =>
      lease.set({
        holderIdentity: 'skewed',
        leaseDurationSeconds: 15,
        acquireTime: behind(),
        renewTime: behind(),
        leaseTransitions: 0,
      });
    renew();
    const renewing = setInterval(renew, RENEW);
    const b = candidate(lease, 'b');
    await advance(3 * DURATION);
    clearInterval(renewing);
    expect(b.started).toBe(0);
    expect(lease.record!.holderIdentity).toBe('skewed');
  });

  it('judges expiry by when it saw the record last change, not by the record timestamps', async () => {
    const lease = new MemoryLease();
    // Renewed "long ago" by the record's clock, but this replica has only just seen it.
    lease.set({
      holderIdentity: 'ghost',
      leaseDurationSeconds: 15,
      acquireTime: new Date(0),
      renewTime: new Date(0),
      leaseTransitions: 4,
    });
    const b = candidate(lease, 'b');
    await advance(DURATION - 100);
    expect(b.started).toBe(0);
    await advance(RENEW + 200);
    expect(b.election.isLeader()).toBe(true);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
  });

  it('takes over a lease its holder stopped renewing, once it has not changed for the duration', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(100);
    const b = candidate(lease, 'b');
    await advance(5000);
    // a is cut off from the API server: it cannot renew, the lease stays as it last wrote it.
    a.store.down = true;
    const lastWrite = lease.lastWriteAt;
    await advance(lastWrite + DURATION - 1 - performance.now());
    expect(b.started).toBe(0);
    await advance(RENEW + 200);
    expect(b.election.isLeader()).toBe(true);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a gave up leading (its renewals failed for the duration) before b took over.
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
    expect(a.election.isLeader()).toBe(false);
  });

  it('on stop, releases the lease so another takes it at its next try, not after expiry', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(100);
    const b = candidate(lease, 'b');
    await advance(5000);
    const stopping = a.election.stop();
    await advance(100);
    await stopping;
    expect(a.election.isLeader()).toBe(false);
    expect(lease.record).toMatchObject({ holderIdentity: null, leaseDurationSeconds: 1 });
    await advance(RENEW + 100);
    expect(b.election.isLeader()).toBe(true);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(events).toEqual(['a started', 'a stopped', 'b started']);
  });

  it('stops leading when it cannot renew within the duration, and takes the lease back after', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(5000);
    const downAt = performance.now();
    a.store.down = true;
    // The last successful renewal began at most one period (and two calls) before downAt.
    await advance(DURATION - RENEW - 100);
    expect(a.election.isLeader()).toBe(true);
    expect(a.stopped).toBe(0);
    expect(a.errors.length).toBeGreaterThan(0);
    expect(String(a.errors[0])).toContain('ECONNREFUSED');
    await advance(downAt + DURATION + 1 - performance.now());
    expect(a.election.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
    // It keeps trying: back in touch, the lease still names it, so it leads again.
    a.store.down = false;
    await advance(RENEW + 100);
    expect(a.election.isLeader()).toBe(true);
    expect(a.started).toBe(2);
    expect(lease.record).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
  });

  it('stops leading within the duration when its requests hang, and stop() still returns', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(5000);
    const hungAt = performance.now();
    a.store.hang = true;
    await advance(DURATION);
    expect(a.election.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
    expect(performance.now()).toBeLessThanOrEqual(hungAt + DURATION);
    // The hung try is given up (and reported) after the duration, and the next one begins.
    await advance(RENEW + 100);
    expect(a.errors.some((error) => String(error).includes('longer than'))).toBe(true);
    const stopping = a.election.stop();
    await advance(3 * RENEW);
    await expect(stopping).resolves.toBeUndefined();
  });

  it('stop() resolves and reports when the release fails', async () => {
    const lease = new MemoryLease();
    const a = candidate(lease, 'a');
    await advance(100);
    a.store.down = true;
    const errorsBefore = a.errors.length;
    const stopping = a.election.stop();
    await advance(3 * RENEW);
    await expect(stopping).resolves.toBeUndefined();
    expect(a.stopped).toBe(1);
    expect(a.errors.length).toBeGreaterThan(errorsBefore);
    expect(lease.record!.holderIdentity).toBe('a');
  });

  it('of replicas racing for the same lease, only the one whose write lands leads', async () => {
    const lease = new MemoryLease();
    // Started together: their first reads all find no lease and they all try to create it.
    const [a, b, c] = [candidate(lease, 'a'), candidate(lease, 'b'), candidate(lease, 'c')];
    await advance(100);
    expect(leader()).toHaveLength(1);
    expect(lease.conflicts).toBe(2);
    const first = leader()[0];
    expect(lease.record!.holderIdentity).toBe(first.identity);
    // The leader is cut off; the other two, trying in step, find the lease expired at the same
    // try and both replace it at the same resourceVersion: one of them must lose.
    first.store.down = true;
    await advance(DURATION + 2 * RENEW);
    expect(leader()).toHaveLength(1);
    const second = leader()[0];
    expect(second).not.toBe(first);
    expect(lease.record).toMatchObject({ holderIdentity: second.identity, leaseTransitions: 1 });
    expect(lease.conflicts).toBe(3);
    expect([a, b, c].reduce((sum, { started }) => sum + started, 0)).toBe(2);
  });
});
