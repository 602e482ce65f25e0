import { createNameResolver } from '../libs/upstream/src/discovery/name-resolver.ts';
import { DnsServer } from './dns-server.ts';
import { randomLoopbackNet } from './topology.ts';

// The stack's DNS server, asked by the gateway's own resolver (c-ares, DNS_SERVERS).
describe('DnsServer', () => {
  const server = new DnsServer(`${randomLoopbackNet()}.2`, 8053);
  const resolve = createNameResolver([server.address]);
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('answers every current address of a name, and follows changes at once', async () => {
    server.set('webapp-1.stack.test', ['127.0.0.11', '127.0.0.12']);
    expect((await resolve('webapp-1.stack.test')).sort()).toEqual(['127.0.0.11', '127.0.0.12']);
    server.set('WebApp-1.stack.test', ['127.0.0.12', '127.0.0.13', '127.0.0.14']);
    expect((await resolve('webapp-1.stack.test')).sort()).toEqual([
      '127.0.0.12',
      '127.0.0.13',
      '127.0.0.14',
    ]);
    expect(server.queries.get('webapp-1.stack.test')).toBeGreaterThanOrEqual(4); // A + AAAA, twice
  });

  it('a name without addresses and an unknown name both resolve to none', async () => {
    server.set('empty.stack.test', []);
    expect(await resolve('empty.stack.test')).toEqual([]);
    expect(await resolve('unknown.stack.test')).toEqual([]);
  });

  it('IP literals need no lookup', async () => {
    expect(await resolve('127.0.0.99')).toEqual(['127.0.0.99']);
  });

  it('a resolver that cannot reach its server fails (callers keep what they knew)', async () => {
    const unreachable = createNameResolver([`${randomLoopbackNet()}.3:8053`]);
    await expect(unreachable('webapp-1.stack.test')).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNREFUSED|ETIMEOUT/),
    });
  });
});
