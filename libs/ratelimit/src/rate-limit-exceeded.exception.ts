import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * 429 in the stack's error shape, rendered by the HTTP error filter with its Retry-After header:
 * `{"statusCode":429,"error":"Too Many Requests","message":"rate limit exceeded: ...","policy":"default","retryAfter":3}`.
 */
export class RateLimitExceededException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(policy: string, limit: number, windowMs: number, retryAfterSeconds: number) {
    super(
      {
        message: `rate limit exceeded: ${limit} requests per ${duration(windowMs)} (policy "${policy}"); retry in ${retryAfterSeconds} s`,
        policy,
        retryAfter: retryAfterSeconds,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
