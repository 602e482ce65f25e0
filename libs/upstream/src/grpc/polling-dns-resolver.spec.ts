import { experimental } from '@grpc/grpc-js';
import { PollingDnsResolver, usePollingDnsResolver } from './polling-dns-resolver';

type Result = Parameters<experimental.ResolverListener>[0];

function resolver(target: string, refreshMs = 5000) {
  const results: Result[] = [];
  const uri = { scheme: 'dns', authority: '', path: target };
  const instance = new PollingDnsResolver(
    uri,
    (result) => {
      results.push(result);
      return true;
    },
    { dnsServers: [], refreshMs },
  );
  return { instance, results };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PollingDnsResolver', () => {
  test('answers grpc-js with every address of the target, with its port', async () => {
    const { instance, results } = resolver('127.0.0.7:6000');
    instance.updateResolution();
    await settle();
    expect(results).toEqual([
      { ok: true, value: [{ addresses: [{ host: '127.0.0.7', port: 6000 }] }] },
    ]);
    instance.destroy();
  });

  test('re-resolves on its own every refresh interval, passing on only changes', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { instance, results } = resolver('127.0.0.8:6000', 1000);
      instance.updateResolution();
      await jest.advanceTimersByTimeAsync(10);
      const first = results.length;
      expect(first).toBe(1);
      // Same answer on every tick: nothing new for grpc-js.
      await jest.advanceTimersByTimeAsync(3000);
      expect(results.length).toBe(first);
      instance.destroy();
    } finally {
      jest.useRealTimers();
    }
  });

  test('asked again within the interval, it does not resolve again at once', async () => {
    const { instance, results } = resolver('127.0.0.7:6000', 60_000);
    instance.updateResolution();
    await settle();
    instance.updateResolution();
    await settle();
    expect(results.length).toBe(1);
    instance.destroy();
  });

  test('an unparsable target is UNAVAILABLE with a reason, not a crash', async () => {
    const { instance, results } = resolver('');
    instance.updateResolution();
    await settle();
    expect(results[0]).toMatchObject({ ok: false, error: { code: 14 } });
    instance.destroy();
  });

  test('registered for dns:, it serves every channel with the typed settings it was given', async () => {
    usePollingDnsResolver({ dnsServers: [], refreshMs: 60_000 });
    // Same settings again (a second upstream): nothing changes; other settings: refused.
    usePollingDnsResolver({ dnsServers: [], refreshMs: 60_000 });
    expect(() => usePollingDnsResolver({ dnsServers: [], refreshMs: 1000 })).toThrow(
      /one DNS discovery policy/,
    );
    const results: Result[] = [];
    const instance = experimental.createResolver(
      { scheme: 'dns', authority: '', path: '127.0.0.9:6000' },
      (result) => {
        results.push(result);
        return true;
      },
      {},
    );
    expect(instance).toBeInstanceOf(PollingDnsResolver);
    instance.updateResolution();
    await settle();
    instance.updateResolution();
    await settle();
    // Within the registered 60 s refresh interval, asked twice, resolved once.
    expect(results).toEqual([
      { ok: true, value: [{ addresses: [{ host: '127.0.0.9', port: 6000 }] }] },
    ]);
    instance.destroy();
  });
});
