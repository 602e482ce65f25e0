import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the HTTP request being handled, for every line logged while it is: one
 * AsyncLocalStorage run per request (see request-logging.ts) and a pino `mixin` that reads it
 * (see logger-options.ts), instead of a child logger per request.
 */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `next` (and everything it starts) as part of the request with this id. */
export function runInRequest(requestId: string, next: () => void): void {
  requestIds.run(requestId, next);
}

/**
 * The fields a log line gets from the request it is logged in: its `request_id`, if any. A new
 * object every time: pino merges the line's own fields into it.
 */
export function requestFields(): { request_id?: string } {
  const requestId = requestIds.getStore();
  return requestId === undefined ? {} : { request_id: requestId };
}
