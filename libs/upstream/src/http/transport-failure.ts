import type { EndpointFailure } from '../discovery/outlier-detector';
import { UpstreamException } from '../upstream.exception';

/** A failed HTTP attempt that got no response, judged for retry and for the endpoint's health. */
export interface TransportFailure {
  /** True only when the request provably never reached the service (safe even for a POST). */
  retryable: boolean;
  /**
   * The replica may have read the request and got no answer out in time (a timeout, a connection
   * closed before the answer): an idempotent call may still be retried.
   */
  afterRead: boolean;
  endpoint: EndpointFailure;
  exception: UpstreamException;
}

/** Socket errors of the connect phase: nothing was sent. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

/**
 * Classifies an axios/Node error of one attempt. What decides whether a POST may be retried is
 * whether the service may have read it:
 * - no connection (refused, unreachable, connect timeout): it was never sent -> retry;
 * - a TCP reset (`read`/`write` ECONNRESET, EPIPE) before any response: the peer closed with our
 *   request unread in its kernel buffer - that is when TCP sends RST - so the process never saw it
 *   (a replica killed with requests queued) -> retry;
 * - end-of-stream before a response ("socket hang up"): the process read the request and then
 *   went away; it may have acted on it -> no retry, 502;
 * - our own timeout -> no retry, 504.
 */
export function transportFailure(upstream: string, err: unknown): TransportFailure {
  const error = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = error.code ?? error.cause?.code ?? '';
  const syscall = error.syscall ?? error.cause?.syscall;
  if (syscall === 'connect' || CONNECT_ERRORS.has(code))
    return {
      retryable: true,
      afterRead: false,
      endpoint: 'connect',
      exception: new UpstreamException(upstream, 'unavailable', code || 'connect failed'),
    };
  if ((code === 'ECONNRESET' || code === 'EPIPE') && (syscall === 'read' || syscall === 'write'))
    return {
      retryable: true,
      afterRead: false,
      endpoint: 'response',
      exception: new UpstreamException(
        upstream,
        'unavailable',
        `${code} before the request was read`,
      ),
    };
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return {
      retryable: false,
      afterRead: true,
      endpoint: 'response',
      exception: new UpstreamException(upstream, 'timeout', code),
    };
  if (code === 'ECONNRESET')
    return {
      retryable: false,
      afterRead: true,
      endpoint: 'response',
      exception: new UpstreamException(
        upstream,
        'bad_response',
        'connection closed before a response; the request may have been processed, so it was not retried',
      ),
    };
  return {
    retryable: false,
    afterRead: false,
    endpoint: 'response',
    // The code only: messages of transport errors name internal addresses.
    exception: new UpstreamException(upstream, 'unavailable', code || 'transport error'),
  };
}
