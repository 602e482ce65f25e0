/**
 * Leader election over a coordination.k8s.io/v1 Lease, with the semantics of client-go's
 * tools/leaderelection: a lease is expired when the record has not changed for its duration as
 * measured on THIS process's monotonic clock since it last saw the record change (no comparison of
 * clocks across nodes); every write is conditional on the resourceVersion read, so of two replicas
 * racing for a lease one write fails and only one leads. Kept free of @kubernetes/client-node (an
 * ESM package jest cannot load) so the unit spec can drive it; lease-store.ts is the real store.
 */

/** The Lease spec fields the election reads and writes. */
export interface LeaseRecord {
  /** null: nobody holds it (never taken, or released). */
  holderIdentity: string | null;
  leaseDurationSeconds: number;
  acquireTime: Date;
  renewTime: Date;
  leaseTransitions: number;
}

/** Where the lease lives. Writes reject when the lease is not at `resourceVersion` (or exists). */
export interface LeaseStore {
  /** The lease now, or null if there is none. */
  get(): Promise<{ record: LeaseRecord; resourceVersion: string } | null>;
  /** Creates the lease; rejects if it exists. Resolves to the new resourceVersion. */
  create(record: LeaseRecord): Promise<string>;
  /** Replaces the lease if it is still at `resourceVersion`; resolves to the new one. */
  replace(record: LeaseRecord, resourceVersion: string): Promise<string>;
}

export interface LeaseElectionOptions {
  /** This replica's name in the lease (e.g. the pod name); unique among the candidates. */
  identity: string;
  /** How long a lease not renewed stays with its holder. Default 15000. */
  leaseDurationMs?: number;
  /** How often the leader renews and the others try to take the lease. Default 2000. */
  renewEveryMs?: number;
  /** This replica now holds the lease. */
  onStartedLeading(): void | Promise<void>;
  /**
   * This replica no longer holds the lease (it saw another holder, could not renew within
   * leaseDurationMs, or stop() was called): from now on it must not act as leader.
   */
  onStoppedLeading(): void | Promise<void>;
  /** A store call failed or timed out (retried every renewEveryMs), or a callback threw. */
  onError(error: unknown): void;
}

export interface LeaseElection {
  /** True while this replica holds the lease and its last renewal is within leaseDurationMs. */
  isLeader(): boolean;
  /**
   * Stops trying; if leading, calls onStoppedLeading and then releases the lease (holder cleared,
   * duration 1 s) so another replica takes it at its next try. Never rejects.
   */
  stop(): Promise<void>;
}

/** The local clock expiry is judged by: monotonic, so a wall-clock step moves no deadline. */
const now = () => performance.now();

/**
 * Starts electing at once (first try immediately, then every renewEveryMs) and returns the handle.
 * Throws only on options that cannot work (renewEveryMs must be below leaseDurationMs).
 */
export function leaseElection(store: LeaseStore, options: LeaseElectionOptions): LeaseElection {
  const identity = options.identity;
  const leaseDurationMs = options.leaseDurationMs ?? 15000;
  const renewEveryMs = options.renewEveryMs ?? 2000;
  if (!identity) throw new RangeError('leaseElection: identity must not be empty');
  if (!(renewEveryMs > 0 && leaseDurationMs > renewEveryMs))
    throw new RangeError(
      `leaseElection: need 0 < renewEveryMs (${renewEveryMs}) < leaseDurationMs (${leaseDurationMs})`,
    );
  // The record holds whole seconds; rounding up keeps what others wait for >= our own deadline.
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);

  let stopped = false;
  let stopping: Promise<void> | undefined;
  let leading = false;
  /** Local time past which our last successful write no longer proves we hold the lease. */
  let leadingUntil = 0;
  /** The last record seen (read or written by us) and the local time it was first seen. */
  let observed: { record: LeaseRecord; resourceVersion: string } | null = null;
  let observedAt = 0;
  /** Bumped per try: a try that timed out must not act on what it learns later. */
  let generation = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let nextTry: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;

  const report = (error: unknown) => {
    try {
      options.onError(error);
    } catch {
      // A throwing onError has nowhere left to report to.
    }
  };
  const call = (callback: () => void | Promise<void>) => {
    try {
      const result = callback();
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  };

  const stopLeading = () => {
    if (!leading) return;
    leading = false;
    clearTimeout(deadline);
    call(() => options.onStoppedLeading());
  };

  /** A write that began at `startedAt` succeeded: we hold the lease until startedAt + duration. */
  const renewed = (startedAt: number) => {
    // Others see the write no earlier than it happened, which is after startedAt: counting from
    // startedAt, we stop leading before any of them can judge the lease expired.
    leadingUntil = startedAt + leaseDurationMs;
    const left = leadingUntil - now();
    if (left <= 0 || stopped) return;
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      if (now() >= leadingUntil) stopLeading();
    }, left);
    if (!leading) {
      leading = true;
      call(() => options.onStartedLeading());
    }
  };

  /** One try, as client-go's tryAcquireOrRenew: read, decide, write conditionally. */
  const tryAcquireOrRenew = async (gen: number) => {
    const current = () => gen === generation;
    const startedAt = now();
    const found = await store.get();
    if (!current() || stopped) return;
    const wall = new Date();

    if (!found) {
      const record: LeaseRecord = {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: wall,
        renewTime: wall,
        leaseTransitions: 0,
      };
      const resourceVersion = await store.create(record);
      if (!current()) return;
      observed = { record, resourceVersion };
      observedAt = now();
      renewed(startedAt);
      return;
    }

    if (found.resourceVersion !== observed?.resourceVersion) {
      observed = found;
      observedAt = now();
    }
    const old = found.record;
    const ours = old.holderIdentity === identity;
    if (!ours) stopLeading();
    const durationMs =
      old.leaseDurationSeconds > 0 ? old.leaseDurationSeconds * 1000 : leaseDurationMs;
    if (old.holderIdentity && !ours && observedAt + durationMs > now()) return;

    const record: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: ours ? old.acquireTime : wall,
      renewTime: wall,
      leaseTransitions: ours ? old.leaseTransitions : old.leaseTransitions + 1,
    };
    const resourceVersion = await store.replace(record, found.resourceVersion);
    if (!current()) return;
    observed = { record, resourceVersion };
    observedAt = now();
    renewed(startedAt);
  };

  /** Settles when `promise` does or after `ms`, whichever is first; true if it settled. */
  const within = (promise: Promise<unknown>, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      const settled = () => {
        clearTimeout(timer);
        resolve(true);
      };
      promise.then(settled, settled);
    });

  const tick = async () => {
    nextTry = undefined;
    if (stopped) return;
    const gen = ++generation;
    inFlight = tryAcquireOrRenew(gen).catch((error: unknown) => {
      if (gen === generation) report(error);
    });
    // A hung request must not hold up the next try: past the lease duration its answer is
    // worthless anyway (it is ignored when it comes; see `generation`).
    if (!(await within(inFlight, leaseDurationMs)) && !stopped)
      report(new Error(`lease request took longer than ${leaseDurationMs} ms`));
    if (!stopped) nextTry = setTimeout(() => void tick(), renewEveryMs);
  };

  const release = async () => {
    if (observed?.record.holderIdentity !== identity) return;
    const wall = new Date();
    const record: LeaseRecord = {
      holderIdentity: null,
      leaseDurationSeconds: 1,
      acquireTime: wall,
      renewTime: wall,
      leaseTransitions: observed.record.leaseTransitions,
    };
    // Conditional on our last write: if anyone changed the lease since, it is not ours to clear.
    const resourceVersion = await store.replace(record, observed.resourceVersion);
    observed = { record, resourceVersion };
  };

  void tick();

  return {
    isLeader: () => leading && now() < leadingUntil,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearTimeout(nextTry);
        // Stop acting as leader before the lease is given up, so two never overlap.
        stopLeading();
        // Let a try under way land so the release is conditional on its write; bounded so a
        // shutdown does not wait on an API server that is away.
        await within(inFlight, renewEveryMs);
        const released = release().catch(report);
        if (!(await within(released, renewEveryMs)))
          report(new Error(`releasing the lease took longer than ${renewEveryMs} ms`));
      })()),
  };
}
