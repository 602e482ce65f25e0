import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from './auth-failure';

const FAILURES = 'auth_failures_total';

export const authMetricProviders = [
  makeCounterProvider({
    name: FAILURES,
    help: 'Requests refused by authentication, by reason (missing, invalid, expired, forbidden, unavailable).',
    labelNames: ['reason'],
  }),
];

/** Auth failures by reason: a bounded label set, never a credential or a subject. */
@Injectable()
export class AuthMetrics {
  constructor(@InjectMetric(FAILURES) private readonly failures: Counter<'reason'>) {
    // Every series exists from the start, so rate() and alerts see the first failure too.
    for (const reason of AUTH_FAILURE_REASONS) failures.inc({ reason }, 0);
  }

  failure(reason: AuthFailureReason): void {
    this.failures.inc({ reason });
  }
}
