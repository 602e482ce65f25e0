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
  /** How long the process keeps serving (draining) after SIGTERM before listeners close. */
  drainDelayMs: number;
  /** How long in-flight work may take once listeners close; then the process exits anyway. */
  timeoutMs: number;
  /**
   * Run once when draining starts (drain endpoint or signal, whichever is first): moves clients
   * that do not read `Connection: close` off this process, e.g. GOAWAY on gRPC connections.
   */
  onDrain?: Array<() => void>;
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

export interface GracefulShutdown {
  /**
   * Starts draining now (readiness 503, `Connection: close` on every answer, the onDrain steps)
   * and resolves after `holdMs`: the Kubernetes preStop hook, which holds SIGTERM back until it
   * is answered. Idempotent: a second call only waits. Nothing is closed here.
   */
  drain(reason: string, holdMs: number): Promise<void>;
  /** The SIGTERM / SIGINT sequence (see installGracefulShutdown). */
  shutdown(signal: string): Promise<void>;
}

/**
 * Draining starts at the first of: the drain endpoint (preStop), SIGTERM / SIGINT. On the signal:
 * draining (if not yet) -> drain delay -> close listeners (idle keep-alive sockets close now, not
 * earlier) and wait for in-flight work -> close clients -> flush -> exit 0. A second signal, or
 * the deadline, exits at once with 1. Returns both entry points, for the admin endpoint and tests.
 */
export function installGracefulShutdown(options: ShutdownOptions): GracefulShutdown {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let draining = false;
  let started = false;

  const startDraining = (reason: string): void => {
    if (draining) return;
    draining = true;
    options.logger.info({ reason }, 'draining: readiness 503, every answer closes its connection');
    options.health.markDraining();
    for (const step of options.onDrain ?? []) {
      try {
        step();
      } catch (err) {
        options.logger.warn({ err }, 'drain step failed');
      }
    }
  };

  const drain = async (reason: string, holdMs: number): Promise<void> => {
    startDraining(reason);
    // The global setTimeout (not timers/promises): unit tests drive it with fake timers.
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
  };

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
      { signal, drain_delay_ms: options.drainDelayMs, draining_already: draining },
      'shutdown started',
    );
    startDraining(signal);
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
  return { drain, shutdown };
}
