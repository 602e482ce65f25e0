import { AxiosError } from 'axios';
import { CONNECT_TIMEOUT } from './undici-adapter';
import { transportFailure } from './transport-failure';

function socketError(code: string, syscall?: string, message = `${syscall} ${code}`): Error {
  const cause = Object.assign(new Error(message), { code, syscall });
  // axios wraps Node's error and keeps it as the cause.
  return AxiosError.from(cause, code);
}

describe('transportFailure', () => {
  it.each([
    ['ECONNREFUSED', 'connect'],
    ['EHOSTUNREACH', 'connect'],
    ['ETIMEDOUT', 'connect'],
    [CONNECT_TIMEOUT, 'connect'],
  ])('%s (%s): never sent -> retry elsewhere, eject at once, 503', (code, syscall) => {
    const failure = transportFailure('webapp-1', socketError(code, syscall));
    expect(failure).toMatchObject({ retryable: true, endpoint: 'connect' });
    expect(failure.exception.getStatus()).toBe(503);
  });

  it.each([
    ['ECONNRESET', 'read'],
    ['EPIPE', 'write'],
  ])('%s on %s (TCP reset: the request was never read) -> retry', (code, syscall) => {
    const failure = transportFailure('webapp-1', socketError(code, syscall));
    expect(failure).toMatchObject({ retryable: true, endpoint: 'response' });
    expect(failure.exception.getStatus()).toBe(503);
  });

  it('socket hang up (the upstream read the request, then closed) -> no retry, 502', () => {
    const failure = transportFailure(
      'webapp-1',
      socketError('ECONNRESET', undefined, 'socket hang up'),
    );
    expect(failure.retryable).toBe(false);
    expect(failure.exception.getStatus()).toBe(502);
    expect(failure.exception.getResponse()).toMatchObject({
      reason: expect.stringMatching(/may have been processed/),
    });
  });

  it('our own timeout -> no retry, 504', () => {
    const failure = transportFailure(
      'webapp-1',
      new AxiosError('timeout of 300ms exceeded', 'ECONNABORTED'),
    );
    expect(failure.retryable).toBe(false);
    expect(failure.exception.getStatus()).toBe(504);
  });
});
