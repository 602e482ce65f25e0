import type { RouteHandler } from './route-handler';
import type { HttpUpstreamModel, Route } from '@app/routes';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { compileTable } from './compiled-table';
import { answerFromTable, testRoute } from './compiled-table.fixture';
import { testUpstreamPool } from './upstream-pool.fixture';
import {
  pick,
  weightedRouteHandler,
  type WeightedHandler,
  withBackendEdits,
} from './weighted-route';

const handler = (name: string, weight: number, calls: string[] = []): WeightedHandler => ({
  weight,
  handle: (() => {
    calls.push(name);
    return Promise.resolve();
  }) as unknown as RouteHandler,
});

describe('pick', () => {
  const handlers = [handler('a', 70), handler('b', 30)];

  it('gives each handler the part of [0, 1) its weight is of the total', () => {
    const chosen = (draw: number) => handlers.indexOf(pick(handlers, 100, draw));
    expect([0, 0.5, 0.6999, 0.7, 0.99].map(chosen)).toEqual([0, 0, 0, 1, 1]);
  });

  it('shares 1000 evenly spread draws by weight exactly', () => {
    const counts = [0, 0];
    for (let i = 0; i < 1000; i++) counts[handlers.indexOf(pick(handlers, 100, i / 1000))]++;
    expect(counts).toEqual([700, 300]);
  });
});

describe('weightedRouteHandler', () => {
  it('never sends to a weight of 0, and calls the handler drawn', async () => {
    const calls: string[] = [];
    const draws = [0.1, 0.9, 0.5];
    const handle = weightedRouteHandler(
      [handler('zero', 0, calls), handler('a', 1, calls), handler('b', 1, calls)],
      () => draws.shift() ?? 0,
    );
    for (let i = 0; i < 3; i++) await handle({} as never, {} as never, {});
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('refuses a split where no weight is above 0', () => {
    expect(() => weightedRouteHandler([handler('a', 0)])).toThrow('a weight above 0');
  });
});

describe('withBackendEdits', () => {
  const edits = (name: string) => ({ set: [{ name, value: '1' }], add: [], remove: [] });
  const route = { name: 'r', requestHeaders: edits('x-route') } as unknown as Route;

  it("gives the backend's handler the route's edits and its own together", () => {
    const served = withBackendEdits(route, {
      upstream: 'a',
      weight: 1,
      requestHeaders: edits('backend'),
      responseHeaders: edits('x-served-by'),
    });
    expect(served.requestHeaders?.set.map((p) => p.name)).toEqual(['x-route', 'backend']);
    expect(served.responseHeaders).toEqual(edits('x-served-by'));
  });

  it('leaves the route as it is for a backend without edits', () => {
    expect(withBackendEdits(route, { upstream: 'a', weight: 1 })).toEqual(route);
  });
});

describe('a split with a share the gateway answers, in a compiled table', () => {
  const { pool } = testUpstreamPool();
  afterAll(() => pool.close());

  it("answers the respond share's requests itself, with its status and the JSON error body", async () => {
    const upstream: HttpUpstreamModel = {
      kind: 'http',
      name: 'a',
      // Never called: its share is 0.
      urls: ['http://127.0.0.1:9'],
      rewrite: null,
      headers: { add: {}, remove: [] },
      traffic: TEST_DEFAULTS.traffic.http,
    };
    const route = testRoute({
      name: 'half',
      match: {
        methods: ['GET'],
        path: { kind: 'prefix', path: '/half' },
        hosts: [],
        headers: [],
        query: [],
      },
      upstream: 'a',
      backends: [
        { upstream: 'a', weight: 0 },
        { respond: { status: 500, message: 'backend gone is not available' }, weight: 1 },
      ],
      retry: { idempotent: true, maxAttempts: 1, perTryTimeoutMs: 1000 },
    });
    const prepared = await pool.prepare([upstream]);
    await pool.commit(prepared)();
    const compiled = compileTable(
      { upstreams: [upstream], routes: [route], version: 'test' },
      prepared.live,
    );
    const response = await answerFromTable(compiled, { method: 'GET', url: '/half/x' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ message: 'backend gone is not available' });
  });
});
