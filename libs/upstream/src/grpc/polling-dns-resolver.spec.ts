import { experimental } from '@grpc/grpc-js';
import { PollingDnsResolver } from './polling-dns-resolver';

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
    { 'grpc.dns_min_time_between_resolutions_ms': refreshMs },
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
});
