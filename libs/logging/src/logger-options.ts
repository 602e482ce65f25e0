import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type LevelWithSilent, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { accessLogFields } from './access-log';

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

/** The pino options every app shares: JSON, one object per line, `service` and ISO time. */
export function pinoOptions(options: LoggingOptions): LoggerOptions {
  return {
    level: options.level,
    base: { service: options.service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/**
 * Asynchronous stdout: log writes are buffered and flushed off the request path, so logging never
 * blocks the event loop. One per process, so the public and admin apps never interleave partial
 * lines; shutdown flushes it (libs/bootstrap/src/graceful-shutdown.ts).
 */
export function asyncStdout(): ReturnType<typeof pino.destination> {
  // minLength 0: no batching threshold (lines must show up promptly), yet writes still coalesce
  // while one is in flight, off the request path.
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 0 });
  return stdout;
}

/** Writes out whatever the asynchronous stdout still buffers (call before exiting). */
export function flushLogs(): void {
  stdout?.flushSync();
}

type Req = IncomingMessage & { id?: string | number };

/** The request target without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** pino-http options: one access line per request (route, upstream, status, duration), bound to the request id. */
export function pinoHttpOptions(options: LoggingOptions): PinoHttpOptions<Req, ServerResponse> {
  return {
    ...pinoOptions(options),
    // The id is assigned once by the HTTP adapter (see @app/http-server) and reused here.
    genReqId: (req) => req.id ?? '',
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, _res, line: object) => ({ ...accessLogFields(req), ...line }),
    customErrorObject: (req, _res, _err, line: object) => ({ ...accessLogFields(req), ...line }),
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      // Allowlists: no headers, and the path without its query string, which can carry secrets
      // (`?api_key=...`) that header redaction would never see.
      req: (req: { method: string; url: string }) => ({ method: req.method, url: pathOf(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  };
}
