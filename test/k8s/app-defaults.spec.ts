// The chart's default env against the apps' own env schemas (@app/config). Every variable the
// default render sets must be there on purpose: a deliberate difference from the app's default
// (listed with its reason), a value the chart needs to know itself (pinned, listed with its reason)
// or one outside the app's schema (listed). A variable that merely repeats the app's default fails:
// leave it to the app, so the two cannot drift apart. The values documented as "null = the app's
// default (`X`)" are held to the schema too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type EnvSchema, gatewayEnv, rpcAppEnv, webappEnv } from './support/app-env.ts';
import { helmTemplate } from './support/helm.ts';
import { appDeployments, containerEnv } from './support/invariants.ts';
import { CHART } from './support/tools.ts';
import { valuesRows } from './support/values-doc.ts';

type App = 'gateway' | 'webapp-1' | 'rpc-app-1';
const SCHEMAS: Record<App, EnvSchema> = {
  gateway: gatewayEnv,
  'webapp-1': webappEnv,
  'rpc-app-1': rpcAppEnv,
};

/** Parses like the apps' loadConfig: an empty variable is unset. Returns the parsed value of `name`. */
function parsed(app: App, env: Record<string, string>, name: string): unknown {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = SCHEMAS[app].safeParse(cleaned);
  if (!result.success) throw new Error(`${app} refuses ${JSON.stringify(env)}: ${result.error}`);
  return (result.data as Record<string, unknown>)[name];
}

const DRAIN =
  'behind the 5 s preStop pause (which already covers endpoint propagation) the drain only needs a short spell of `Connection: close` answers; the 5 s app default is for a process without one (README, "Health, shutdown")';
const ADMIN_PORT =
  'each pod has its own network namespace, so every app gets admin port 9000 (probes, scrape annotations, NetworkPolicies alike); the apps default to 9000/9001/9002 only so that the three can share one host (npm start)';

/** Rendered on purpose with a value other than the app's default, and why. */
const DIFFERENT: Record<App, Record<string, string>> = {
  gateway: {
    SHUTDOWN_DRAIN_DELAY_MS: DRAIN,
    ROUTES_FILE:
      "the route file the chart renders and mounts (templates/_routes.tpl): the gateway's own two routes addressed at the release's headless Services (the default, no file, builds them from WEBAPP_URL / RPC_TARGET, which point at localhost: the npm start topology), and gateway.routes",
    REDIS_URL:
      "the release's built-in Redis, so the gateways share limits (the app default is none: a store per process)",
    REDIS_PASSWORD: "the built-in Redis's password, from its Secret (the app default is none)",
  },
  'webapp-1': { SHUTDOWN_DRAIN_DELAY_MS: DRAIN, ADMIN_PORT },
  'rpc-app-1': { SHUTDOWN_DRAIN_DELAY_MS: DRAIN, ADMIN_PORT },
};

const PORT =
  'the container port, the Services and the probes come from components.<app>.containerPort: the app must listen where the chart points, whatever its own default';
const HOST =
  'Services, probes and NetworkPolicies reach the pod on its own address: every interface, even if the app default were ever narrowed to loopback for local runs';
const TIMEOUT =
  'the chart sizes terminationGracePeriodSeconds from it (preStop + drain + timeout + 5 s), so it must be the value the app uses';

/** Rendered on purpose with the app's own default value, and why the chart must set it. */
const PINNED: Record<App, Record<string, string>> = {
  gateway: {
    HOST,
    PORT,
    ADMIN_PORT:
      'the probes, scrape annotations and NetworkPolicies use components.<app>.adminPort: the app must listen there',
    SHUTDOWN_TIMEOUT_MS: TIMEOUT,
    AUTH_DEFAULT:
      "the chart reads edge.auth.default itself (NOTES.txt's warning for an exposed gateway nobody needs credentials for): rendered so the gateway cannot be running a scheme other than the one the chart reasoned about",
  },
  'webapp-1': { HOST, PORT, SHUTDOWN_TIMEOUT_MS: TIMEOUT },
  'rpc-app-1': { HOST, PORT, SHUTDOWN_TIMEOUT_MS: TIMEOUT },
};

/** Variables outside the apps' env schemas, read by someone else. */
const OUTSIDE_SCHEMA: Record<string, string> = {
  NODE_OPTIONS: 'read by Node.js itself (componentDefaults.nodeOptions: the young-generation size)',
  OTEL_SERVICE_NAME: 'read by the OpenTelemetry SDK (libs/tracing): the component name',
};

const objects = helmTemplate();

describe("the chart's default env against the apps' env schemas", () => {
  const deployments = appDeployments(objects);

  test('renders the three apps', () => {
    expect([...deployments.keys()].sort()).toEqual(['gateway', 'rpc-app-1', 'webapp-1']);
  });

  test.each(Object.keys(SCHEMAS) as App[])(
    '%s: every variable is a listed difference, a listed pin or outside the schema',
    (app) => {
      const env = containerEnv(objects, deployments.get(app)!);
      const shape = SCHEMAS[app].shape;
      const problems: string[] = [];
      const seen = { different: new Set<string>(), pinned: new Set<string>() };
      for (const [name, value] of Object.entries(env)) {
        if (value === '') {
          problems.push(`${name} is rendered empty: leave it out (the app reads it as unset)`);
        } else if (!(name in shape)) {
          if (!(name in OUTSIDE_SCHEMA))
            problems.push(`${name} is not in ${app}'s env schema and not listed as read elsewhere`);
        } else if (isDeepStrictEqual(parsed(app, { [name]: value }, name), parsed(app, {}, name))) {
          seen.pinned.add(name);
          if (!(name in PINNED[app]))
            problems.push(
              `${name}=${value} repeats ${app}'s default: leave it to the app, or list why the chart pins it`,
            );
        } else {
          seen.different.add(name);
          if (!(name in DIFFERENT[app]))
            problems.push(
              `${name}=${value} differs from ${app}'s default ${JSON.stringify(parsed(app, {}, name))} and is not a listed difference`,
            );
        }
      }
      // The lists hold no stale entries: each one is still rendered, and still differs or matches.
      for (const name of Object.keys(DIFFERENT[app]))
        if (!seen.different.has(name))
          problems.push(
            `${name} is listed as a difference but is not rendered or equals the default`,
          );
      for (const name of Object.keys(PINNED[app]))
        if (!seen.pinned.has(name))
          problems.push(
            `${name} is listed as pinned but is not rendered or differs from the default`,
          );
      expect(problems).toEqual([]);
    },
  );
});

describe('values documented as "null = the app\'s default (`X`)"', () => {
  const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
  const documented = valuesRows(valuesText)
    .rows.map((row) => {
      const match = /null = (the gateway's|rpc-app-1's|the apps') default \(`([^`]*)`\)/.exec(
        row.description,
      );
      const variable = /\(`([A-Z][A-Z0-9_]+)`/.exec(row.description)?.[1];
      return match && { row, owner: match[1], stated: match[2], variable };
    })
    .filter((entry) => entry !== null);

  const appsOf = (owner: string): App[] =>
    owner === "the gateway's"
      ? ['gateway']
      : owner === "rpc-app-1's"
        ? ['rpc-app-1']
        : ['gateway', 'webapp-1', 'rpc-app-1'];

  test('there are such values, each null by default and naming its variable', () => {
    expect(documented.length).toBeGreaterThanOrEqual(16);
    for (const { row, variable } of documented) {
      expect([row.key, row.default]).toEqual([row.key, 'null']);
      expect([row.key, variable]).toEqual([row.key, expect.any(String)]);
    }
  });

  test('the stated default is the app schema default', () => {
    const problems = documented.flatMap(({ row, owner, stated, variable }) =>
      appsOf(owner).flatMap((app) =>
        isDeepStrictEqual(
          parsed(app, { [variable!]: stated }, variable!),
          parsed(app, {}, variable!),
        )
          ? []
          : [
              `${row.key}: documents ${stated}, ${app}'s default ${variable} is ${JSON.stringify(parsed(app, {}, variable!))}`,
            ],
      ),
    );
    expect(problems).toEqual([]);
  });

  test('null renders nothing; a set value renders exactly that variable on the apps it names', () => {
    const setValue = (stated: string, key: string) =>
      key.startsWith('edge.cors.allowed') ? `${key}={${stated}}` : `${key}=${stated}`;
    const withAll = helmTemplate({
      // TLS_RELOAD_MS only matters, and is only rendered, with TLS on.
      set: [
        'edge.tls.existingSecret=gw-tls',
        ...documented.map(({ row, stated }) => setValue(stated, row.key)),
      ],
    });
    const defaults = appDeployments(objects);
    const setOnes = appDeployments(withAll);
    for (const { row, owner, stated, variable } of documented) {
      for (const app of appsOf(owner)) {
        expect([row.key, containerEnv(objects, defaults.get(app)!)[variable!]]).toEqual([
          row.key,
          undefined,
        ]);
        expect([row.key, containerEnv(withAll, setOnes.get(app)!)[variable!]]).toEqual([
          row.key,
          stated,
        ]);
      }
    }
  });
});
