import pino, { type LevelWithSilent, type LoggerOptions } from 'pino';
import { requestFields } from './request-context';

export interface LoggingOptions {
  /** Value of the `service` field on every line. */
  service: string;
  level: LevelWithSilent;
  /** Where lines go; defaults to an asynchronous stdout writer. */
  destination?: pino.DestinationStream;
}

/** Headers and fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/**
 * The pino options every app shares: JSON, one object per line, `service` and ISO time, and the
 * request id of the HTTP request a line is logged in (request-context.ts).
 */
export function pinoOptions(options: LoggingOptions): LoggerOptions {
  return {
    level: options.level,
    base: { service: options.service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: requestFields,
  };
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/**
 * Asynchronous stdout: log writes are buffered and flushed off the request path, so logging never
 * blocks the event loop. One per process, so the public and admin apps never interleave partial
 * lines; shutdown flushes it (libs/bootstrap/src/graceful-shutdown.ts).
 */
export function asyncStdout(): ReturnType<typeof pino.destination> {
  // Lines are written in batches of about 4 KB, and at least every 100 ms: one write per line cost
  // the gateway a write syscall per request under load (docs/performance.md), while a line still
  // shows up in `kubectl logs` within 100 ms.
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  return stdout;
}

/** Writes out whatever the asynchronous stdout still buffers (call before exiting). */
export function flushLogs(): void {
  stdout?.flushSync();
}

/** The request target without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
