import type { GatewayApiSnapshot } from '@app/gateway-api';
import type { RouteTable } from '@app/routes';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from '../../gateway-api/src/gateway-api.fixture';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { gatewayApiReloads } from './gateway-api-reloads';
import type { RouteTableMetrics } from './route-table.metrics';
import type { GatewayListenerPort } from './gateway-listeners';
import type { PortTables, RouteTableServer } from './route-table-server';

/** A server that keeps what it was handed; `refuse` makes its next apply throw. */
function fakeServer() {
  const applied: RouteTable[] = [];
  const appliedPorts: (PortTables | undefined)[] = [];
  const state = {
    refuse: false,
    current: undefined as RouteTable | undefined,
    key: undefined as string | undefined,
  };
  const keyOf = (table: RouteTable, ports?: PortTables) =>
    [table.version, ...[...(ports?.tables ?? [])].map(([port, t]) => `${port}=${t.version}`)].join(
      ' ',
    );
  const server = {
    get version() {
      return state.current?.version;
    },
    get servedKey() {
      return state.key;
    },
    apply: (table: RouteTable, ports?: PortTables) => {
      if (keyOf(table, ports) === state.key) return Promise.resolve();
      if (state.refuse) return Promise.reject(new Error('upstream "x": cannot be served'));
      applied.push(table);
      appliedPorts.push(ports);
      state.current = table;
      state.key = keyOf(table, ports);
      return Promise.resolve();
    },
  };
  return { server: server as unknown as RouteTableServer, applied, appliedPorts, state };
}

function fakeMetrics() {
  const outcomes: string[] = [];
  return {
    metrics: {
      reloaded: (outcome: string) => outcomes.push(outcome),
    } as unknown as RouteTableMetrics,
    outcomes,
  };
}

const withRoute = (path: string): GatewayApiSnapshot =>
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    services: [service('infra', 'a')],
    httpRoutes: [
      httpRoute('shop', {
        parentRefs: [{ name: 'gw' }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: path } }],
            backendRefs: [{ name: 'a', port: 8080 }],
          },
        ],
      }),
    ],
  });

const DEBOUNCE_MS = 5;
/** Long enough for a debounced build that nothing should follow (a slow machine only passes later). */
const settle = () => new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS * 10));
/** Until `count` reload outcomes are in (bounded): what was expected to happen, however slowly. */
async function outcomesReach(outcomes: string[], count: number): Promise<void> {
  for (let waited = 0; outcomes.length < count && waited < 10_000; waited += DEBOUNCE_MS)
    await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
}

function setUp(initial: GatewayApiSnapshot) {
  const objects = { now: initial };
  const { server, applied, state } = fakeServer();
  const { metrics, outcomes } = fakeMetrics();
  const reloads = gatewayApiReloads(
    {
      snapshot: () => objects.now,
      controllerName: CONTROLLER,
      defaults: TEST_DEFAULTS,
      debounceMs: DEBOUNCE_MS,
    },
    server,
    metrics,
  );
  return { objects, reloads, applied, state, outcomes };
}

describe('gatewayApiReloads', () => {
  it("serves the objects' table at once, then one table per burst of changes", async () => {
    const { objects, reloads, applied, outcomes } = setUp(withRoute('/shop'));
    await reloads.applyNow();
    expect(applied.map((table) => table.routes[0].match.path.path)).toEqual(['/shop']);

    objects.now = withRoute('/blog');
    reloads.changed();
    reloads.changed();
    reloads.changed();
    await outcomesReach(outcomes, 2);
    await settle();
    expect(applied.map((table) => table.routes[0].match.path.path)).toEqual(['/shop', '/blog']);
    expect(outcomes).toEqual(['applied', 'applied']);
    reloads.stop();
  });

  it('does not count or swap a table equal to the one served (an EndpointSlice change that leaves every ready endpoint as it was)', async () => {
    const { reloads, applied, outcomes } = setUp(withRoute('/shop'));
    await reloads.applyNow();
    reloads.changed();
    await settle();
    expect(applied).toHaveLength(1);
    expect(outcomes).toEqual(['applied']);
    reloads.stop();
  });

  it('refuses a table the server cannot serve, counts it, and keeps the last good one', async () => {
    const { objects, reloads, applied, state, outcomes } = setUp(withRoute('/shop'));
    await reloads.applyNow();
    state.refuse = true;
    objects.now = withRoute('/blog');
    reloads.changed();
    await outcomesReach(outcomes, 2);
    expect(outcomes).toEqual(['applied', 'refused']);
    expect(state.current?.routes[0].match.path.path).toBe('/shop');
    expect(applied).toHaveLength(1);
    reloads.stop();
  });

  it('ignores changes reported before the first table (the watch is still listing)', async () => {
    const { reloads, applied } = setUp(withRoute('/shop'));
    reloads.changed();
    await settle();
    expect(applied).toHaveLength(0);
    reloads.stop();
  });
});

describe('gatewayApiReloads with per-(Gateway, port) listeners', () => {
  const RANGE = { from: 20000, to: 20099 };
  const twoGateways = (both: boolean): GatewayApiSnapshot =>
    snapshot({
      gateways: [
        gateway('one', [httpListener('http')]),
        ...(both ? [gateway('two', [httpListener('http')])] : []),
      ],
      services: [service('infra', 'a')],
      httpRoutes: [
        httpRoute('shop', {
          parentRefs: [{ name: 'one' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/shop' } }],
              backendRefs: [{ name: 'a', port: 8080 }],
            },
          ],
        }),
        httpRoute('blog', {
          parentRefs: [{ name: 'two' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/blog' } }],
              backendRefs: [{ name: 'a', port: 8080 }],
            },
          ],
        }),
      ],
    });

  it('serves a table per Gateway port with the merged one, then opens the ports; a Gateway gone closes its', async () => {
    const objects = { now: twoGateways(true) };
    const { server, applied, appliedPorts } = fakeServer();
    const { metrics, outcomes } = fakeMetrics();
    const updates: GatewayListenerPort[][] = [];
    const allocated: (readonly number[])[] = [];
    const reloads = gatewayApiReloads(
      {
        snapshot: () => objects.now,
        controllerName: CONTROLLER,
        defaults: TEST_DEFAULTS,
        debounceMs: DEBOUNCE_MS,
        // The ports the Services are written with: those the listeners open.
        translated: (_snapshot, _translation, allocation) =>
          allocated.push([...(allocation?.ports.values() ?? [])].sort()),
        gatewayPorts: {
          range: RANGE,
          servicesNamespace: 'gs-system',
          avoid: [20000],
          listeners: {
            update: (pairs) => {
              // Opened only once their tables are served.
              expect(appliedPorts.at(-1)?.tables.size).toBe([...pairs].length);
              updates.push([...pairs]);
              return Promise.resolve();
            },
          },
        },
      },
      server,
      metrics,
    );
    await reloads.applyNow();
    const ports = appliedPorts[0];
    expect(ports?.range).toEqual(RANGE);
    const byGateway = new Map(
      updates[0].map((pair) => [pair.gateway.name, pair.internalPort] as const),
    );
    expect([...byGateway.keys()].sort()).toEqual(['one', 'two']);
    expect(allocated).toEqual([[...byGateway.values()].sort()]);
    for (const port of byGateway.values()) {
      expect(port).toBeGreaterThan(20000);
      expect(port).toBeLessThanOrEqual(20099);
    }
    const pathsOf = (name: string) =>
      ports?.tables.get(byGateway.get(name) ?? -1)?.routes.map((r) => r.match.path.path);
    expect(pathsOf('one')).toEqual(['/shop']);
    expect(pathsOf('two')).toEqual(['/blog']);
    // The merged table keeps both, for the main port.
    expect(applied[0].routes.map((r) => r.match.path.path).sort()).toEqual(['/blog', '/shop']);

    objects.now = twoGateways(false);
    reloads.changed();
    await outcomesReach(outcomes, 2);
    expect(outcomes).toEqual(['applied', 'applied']);
    expect(updates.at(-1)?.map((pair) => [pair.gateway.name, pair.internalPort])).toEqual([
      ['one', byGateway.get('one')],
    ]);
    expect([...(appliedPorts.at(-1)?.tables.keys() ?? [])]).toEqual([byGateway.get('one')]);
    reloads.stop();
  });
});
