import type { HttpUpstreamModel } from '@app/routes';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { testUpstreamPool } from './upstream-pool.fixture';

const model = (urls: string[], extra: Partial<HttpUpstreamModel> = {}): HttpUpstreamModel => ({
  kind: 'http',
  name: 'infra/a:8080',
  urls,
  rewrite: null,
  headers: { add: {}, remove: [] },
  traffic: TEST_DEFAULTS.traffic.http,
  preserveHost: true,
  ...extra,
});

describe('UpstreamPool', () => {
  const { pool, states } = testUpstreamPool();
  afterAll(() => pool.close());

  const endpointsOf = () =>
    (
      new Map(states.snapshot()).get('infra/a:8080') as { endpoints: { address: string }[] }
    ).endpoints.map((e) => e.address);

  it('keeps an http upstream whose only change is its URLs, retargeted when the table is committed', async () => {
    const first = await pool.prepare([model(['http://127.0.0.1:5001'])]);
    await pool.commit(first)();
    const upstream = first.live.get('infra/a:8080');

    const moved = await pool.prepare([model(['http://127.0.0.1:5001', 'http://127.0.0.1:5002'])]);
    expect(moved.live.get('infra/a:8080')).toBe(upstream);
    // Not before the commit: a prepared table may still be abandoned.
    expect(endpointsOf()).toEqual(['127.0.0.1:5001']);
    await pool.commit(moved)();
    expect(endpointsOf()).toEqual(['127.0.0.1:5001', '127.0.0.1:5002']);

    // Any other change builds a new upstream.
    const changed = await pool.prepare([
      model(['http://127.0.0.1:5002'], { headers: { add: { 'x-a': '1' }, remove: [] } }),
    ]);
    expect(changed.live.get('infra/a:8080')).not.toBe(upstream);
    await pool.commit(changed)();
    expect(endpointsOf()).toEqual(['127.0.0.1:5002']);
  });
});
