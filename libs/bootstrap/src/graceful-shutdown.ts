import type { HealthState } from '@app/health';
import { flushLogs } from '@app/logging';

/** The slice of a pino logger the shutdown sequence writes to. */
export interface ShutdownLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ShutdownOptions {
  health: HealthState;
  logger: ShutdownLogger;
  /** How long readiness reports 503 before listeners close, so endpoints stop routing to us. */
  drainDelayMs: number;
  /** How long in-flight work may take once listeners close; then the process exits anyway. */
  timeoutMs: number;
  /**
   * Stops serving, in order: public listeners (in-flight requests finish, idle keep-alive sockets
   * close, the rest get `Connection: close`), gRPC server (GOAWAY, in-flight calls finish), then
   * clients such as Redis (Nest `onApplicationShutdown` hooks run after listeners close).
   */
  stop: Array<() => Promise<unknown>>;
  /** Runs last, after every listener closed: flush traces and the like. */
  finally?: Array<() => Promise<unknown>>;
  exit?: (code: number) => void;
}

/**
 * SIGTERM / SIGINT: readiness 503 -> drain delay -> close listeners and wait for in-flight work ->
 * close clients -> flush -> exit 0. A second signal, or the deadline, exits at once with 1.
 * Returns the shutdown function, so tests and other callers can trigger the same sequence.
 */
export function installGracefulShutdown(
  options: ShutdownOptions,
): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (started) {
      options.logger.warn({ signal }, 'second signal during shutdown: exiting now');
      flushLogs();
      exit(1);
      return;
    }
    started = true;
    const deadline = setTimeout(() => {
      options.logger.error(
        { timeout_ms: options.drainDelayMs + options.timeoutMs },
        'shutdown deadline passed: exiting',
      );
      flushLogs();
      exit(1);
    }, options.drainDelayMs + options.timeoutMs);
    deadline.unref();

    options.logger.info(
      { signal, drain_delay_ms: options.drainDelayMs },
      'shutdown started: readiness now 503',
    );
    options.health.markDraining();
    // The global setTimeout (not timers/promises): unit tests drive it with fake timers.
    if (options.drainDelayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, options.drainDelayMs));
    options.logger.info({}, 'drain delay over: closing listeners, waiting for in-flight work');
    try {
      for (const step of options.stop) await step();
      for (const step of options.finally ?? []) await step();
      options.logger.info({}, 'shutdown complete');
      flushLogs();
      clearTimeout(deadline);
      exit(0);
    } catch (err) {
      options.logger.error({ err }, 'shutdown failed');
      flushLogs();
      exit(1);
    }
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutdown(signal));
  return shutdown;
}
