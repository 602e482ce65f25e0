import type { WindowHit } from './shared-windows';

interface Window {
  count: number;
  endsAt: number;
}

/** Keys kept at most; past it the oldest are dropped, so a flood of identities cannot exhaust memory. */
export const MAX_MEMORY_WINDOWS = 100_000;

/**
 * Fixed-window counters in this process: the embedded store when no Redis is configured, and the
 * local fallback while Redis is unreachable. The same semantics as the Redis script (a window starts
 * with a key's first request), one small object per active key and no timer per key. Expired
 * windows are dropped by `sweep` (called periodically) or reused in place by the next request.
 */
export class MemoryWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly maxKeys: number = MAX_MEMORY_WINDOWS) {}

  get size(): number {
    return this.windows.size;
  }

  hit(key: string, windowMs: number, now: number = Date.now()): WindowHit {
    let window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= this.maxKeys) this.makeRoom(now);
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    } else if (window.endsAt <= now) {
      window.count = 0;
      window.endsAt = now + windowMs;
    }
    window.count++;
    return { count: window.count, resetMs: window.endsAt - now };
  }

  /** Drops every window that has ended. */
  sweep(now: number = Date.now()): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    // Still full of live windows: drop the oldest tenth (Map order is insertion order), so the
    // next few thousand new keys do not each pay for a sweep.
    if (this.windows.size < this.maxKeys) return;
    let drop = Math.max(1, Math.floor(this.maxKeys / 10));
    for (const key of this.windows.keys()) {
      if (drop-- === 0) break;
      this.windows.delete(key);
    }
  }
}
