import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** Pause between checks (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

/**
 * Thrown by a check when waiting longer cannot help (e.g. the deploy it waits on failed):
 * eventually() rethrows it at once instead of polling until the time is up.
 */
export class GiveUp extends Error {}

/**
 * The one way tests wait for a state (logs, exports, modes, readiness are asynchronous): runs
 * `check` until it neither throws nor returns `false`, and returns what it returned. When the time
 * is up, the last assertion error is rethrown (naming `what`, when given), or an error names what
 * never happened. Waiting on
 * a state instead of sleeping a fixed time keeps tests right on a slow machine and quick on a fast
 * one.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: PollOptions | number = {},
): Promise<Exclude<T, false>> {
  const {
    timeoutMs = 5000,
    intervalMs = 100,
    what,
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      failure = err;
    }
    if (Date.now() > deadline) {
      if (failure instanceof Error && what)
        failure.message += `\n(waiting ${timeoutMs} ms for: ${what})`;
      if (failure !== undefined) throw failure;
      throw new Error(`not within ${timeoutMs} ms: ${what ?? check.toString()}`);
    }
    await sleep(intervalMs);
  }
}
