import { PeakGateways } from './peak-gateways';

describe('PeakGateways', () => {
  const reply = (gateways: number) => ({ gateways, rank: 0, grants: [] });

  it('believes a larger count at once', () => {
    const peak = new PeakGateways(3000);
    expect(peak.of(reply(2), 1000).gateways).toBe(2);
    expect(peak.of(reply(3), 1100).gateways).toBe(3);
  });

  it('holds a smaller count at the peak until the peak is older than the hold time', () => {
    const peak = new PeakGateways(3000);
    peak.of(reply(3), 1000);
    expect(peak.of(reply(1), 2000).gateways).toBe(3);
    expect(peak.of(reply(1), 4000).gateways).toBe(3);
    expect(peak.of(reply(1), 4001).gateways).toBe(1);
    expect(peak.of(reply(2), 4002).gateways).toBe(2);
  });
});
