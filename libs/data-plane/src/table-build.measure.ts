// How long a table of N HTTPRoutes takes to build, step by step (docs/adr/0011-gateway-api.md,
// "Table builds that scale"). Not a spec - timings are no assertions - so it runs only when asked:
//   npx jest --selectProjects unit --testMatch '**/table-build.measure.ts'
// The unit specs that keep builds linear count work instead: route-conditions-matcher.spec.ts
// (overlap checks) and route-table-from-gateways.spec.ts (route file checks).
import {
  type GatewayApiSnapshot,
  type HTTPRoute,
  MatchRouteCache,
  routeTableFromGateways,
  statusUpdates,
  translate,
} from '@app/gateway-api';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from '../../gateway-api/src/gateway-api.fixture';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { compileTable } from './compiled-table';
import { openApiFromTable } from './openapi/openapi-from-table';
import type { LiveUpstream } from './upstream-pool';

/** A mix: strict Exact paths, prefixes, prefixes with a header condition, named hosts. */
function routeNo(i: number): HTTPRoute {
  const kind = i % 4;
  return httpRoute(
    `r${i}`,
    {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      ...(kind === 3 ? { hostnames: [`h${i % 10}.example.com`] } : {}),
      rules: [
        {
          matches: [
            kind === 0
              ? { path: { type: 'Exact', value: `/svc/${i}` } }
              : kind === 2
                ? {
                    path: { type: 'PathPrefix', value: `/svc/${i}` },
                    headers: [{ name: 'x-v', value: `${i}` }],
                  }
                : { path: { type: 'PathPrefix', value: `/svc/${i}` } },
          ],
          backendRefs: [{ name: `s${i}`, port: 8080 }],
        },
      ],
    },
    { namespace: `ns${i % 20}` },
  );
}

function objects(n: number): GatewayApiSnapshot {
  return snapshot({
    gateways: [
      gateway('gw', [httpListener('http', { allowedRoutes: { namespaces: { from: 'All' } } })]),
    ],
    services: Array.from({ length: n + 1 }, (_, i) => service(`ns${i % 20}`, `s${i}`)),
    httpRoutes: Array.from({ length: n }, (_, i) => routeNo(i)),
  });
}

// The matcher and handlers only hold on to the upstream: nothing is called.
const LIVE = { kind: 'http', upstream: {} } as unknown as LiveUpstream;

/**
 * Milliseconds of each step: translation and status, table, matcher, the three together (what a
 * change costs), and the OpenAPI document (made when GET /openapi.json asks for it).
 */
function build(objs: GatewayApiSnapshot, cache: MatchRouteCache | null) {
  const t0 = performance.now();
  const translation = translate(objs, CONTROLLER);
  statusUpdates(objs, translation, CONTROLLER, new Date());
  const t1 = performance.now();
  const { table } = routeTableFromGateways(translation, TEST_DEFAULTS, cache);
  const t2 = performance.now();
  compileTable(table, new Map(table.upstreams.map((upstream) => [upstream.name, LIVE])));
  const t3 = performance.now();
  openApiFromTable(table, () => undefined);
  const t4 = performance.now();
  return { ms: [t1 - t0, t2 - t1, t3 - t2, t3 - t0, t4 - t3], version: table.version };
}

it('measures table builds', () => {
  const lines: string[] = [];
  const ms = (value: number) => value.toFixed(0).padStart(5);
  for (const n of [10, 100, 1000]) {
    const runs = n >= 1000 ? 3 : 5;
    const best = [Infinity, Infinity, Infinity, Infinity, Infinity];
    let version = '';
    for (let run = 0; run < runs; run++) {
      const built = build(objects(n), null);
      built.ms.forEach((value, i) => (best[i] = Math.min(best[i], value)));
      version = built.version;
    }
    // What gateway-api-reloads does on the next change: one more route, the cache of the last build.
    const cache = new MatchRouteCache();
    build(objects(n), cache);
    const more = objects(n);
    const next = build({ ...more, httpRoutes: [...more.httpRoutes, routeNo(n)] }, cache).ms;
    lines.push(
      `N=${String(n).padStart(4)} ms, best of ${runs}: translate+status ${ms(best[0])} table ${ms(best[1])} matcher ${ms(best[2])} build ${ms(best[3])} | openapi ${ms(best[4])} | next build, one more route: ${ms(next[3])} (table ${ms(next[1])}) | ${version.slice(0, 19)}`,
    );
  }
  console.log(lines.join('\n'));
});
