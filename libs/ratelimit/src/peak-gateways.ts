import type { SyncReply } from './shared-budgets';

/**
 * The gateway count background mode cuts shares by. Fewer gateways than lately seen (Redis lost
 * its set, or one stopped) is believed only once the larger count is `holdMs` old: smaller shares
 * for a moment rather than a burst over the limit.
 */
export class PeakGateways {
  private count = 1;
  private seenAt = 0;

  constructor(private readonly holdMs: number) {}

  /** The reply, with the gateway count held at its recent peak. */
  of(reply: SyncReply, now: number): SyncReply {
    if (reply.gateways >= this.count || now - this.seenAt > this.holdMs) {
      this.count = reply.gateways;
      this.seenAt = now;
      return reply;
    }
    return { ...reply, gateways: this.count };
  }
}
