import { EndpointSet } from './endpoint-set';
import { parseUpstreamUrls } from './upstream-url';

const quiet = { log: () => undefined, warn: () => undefined };

describe('parseUpstreamUrls', () => {
  it('keeps the configured authority for the Host header and the base path', () => {
    expect(parseUpstreamUrls('http://webapp-1-headless:5000, http://other.test/api/')).toEqual([
      {
        hostname: 'webapp-1-headless',
        port: 5000,
        authority: 'webapp-1-headless:5000',
        basePath: '',
      },
      { hostname: 'other.test', port: 80, authority: 'other.test', basePath: '/api' },
    ]);
  });
});

describe('EndpointSet', () => {
  it('resolves every target to all its addresses and keeps endpoint identity across refreshes', async () => {
    const answers: Record<string, string[]> = { 'a.test': ['a1', 'a2'], 'b.test': ['b1'] };
    const set = new EndpointSet(
      parseUpstreamUrls('http://a.test:5000,http://b.test:5000'),
      async (name) => answers[name],
      60_000,
      quiet,
    );
    await set.refresh();
    expect(set.endpoints.map((e) => e.baseUrl)).toEqual([
      'http://a1:5000',
      'http://a2:5000',
      'http://b1:5000',
    ]);
    expect(set.endpoints[0].target.authority).toBe('a.test:5000');
    const a2 = set.endpoints[1];

    answers['a.test'] = ['a2', 'a3']; // a1 went away, a3 was added
    await set.refresh();
    expect(set.endpoints.map((e) => e.address)).toEqual(['a2', 'a3', 'b1']);
    expect(set.endpoints[0]).toBe(a2);
  });

  it('keeps the last known addresses when the resolver fails, and drops them for a name that has none', async () => {
    let answer: () => Promise<string[]> = async () => ['x1', 'x2'];
    const set = new EndpointSet(
      parseUpstreamUrls('http://x.test:5000'),
      () => answer(),
      60_000,
      quiet,
    );
    await set.refresh();
    answer = async () => {
      throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
    };
    await set.refresh();
    expect(set.endpoints.map((e) => e.address)).toEqual(['x1', 'x2']);
    answer = async () => [];
    await set.refresh();
    expect(set.endpoints).toEqual([]);
  });

  it('retargets: address literals take effect at once, replicas still listed keep their health', async () => {
    const set = new EndpointSet(
      parseUpstreamUrls('http://10.0.0.1:5000,http://10.0.0.2:5000'),
      async (name) => [name],
      60_000,
      quiet,
    );
    await set.refresh();
    const kept = set.endpoints[1];
    kept.health.consecutiveFailures = 2;
    set.retarget(parseUpstreamUrls('http://10.0.0.2:5000,http://10.0.0.3:5000'));
    expect(set.endpoints.map((e) => e.key)).toEqual(['10.0.0.2:5000', '10.0.0.3:5000']);
    expect(set.endpoints[0]).toBe(kept);
    // The same address behind another base path is another endpoint.
    set.retarget(parseUpstreamUrls('http://10.0.0.2:5000/v2'));
    expect(set.endpoints.map((e) => e.baseUrl)).toEqual(['http://10.0.0.2:5000/v2']);
    expect(set.endpoints[0]).not.toBe(kept);
  });

  it('writes IPv6 addresses in brackets', async () => {
    const set = new EndpointSet(
      parseUpstreamUrls('http://v6.test:5000'),
      async () => ['fd00::5'],
      1000,
      quiet,
    );
    await set.refresh();
    expect(set.endpoints[0].baseUrl).toBe('http://[fd00::5]:5000');
  });
});
