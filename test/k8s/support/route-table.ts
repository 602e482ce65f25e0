// The rendered route file through the gateway's own parser (parseRouteFile, libs/routes), with the
// defaults the gateway takes from the env the chart renders. .proto paths are mapped to this
// machine: /etc/gateway-stack/protos/... (a ConfigMap volume) to a temporary directory holding that
// ConfigMap's files, /app/proto/... (inside the gateway image) to the repository's proto/, which
// the Dockerfile copies there. Loaded with require, as app-env.ts explains.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { gatewayEnv } from './app-env.ts';
import type { K8sObject } from './helm.ts';
import { appDeployments, containerEnv } from './invariants.ts';
import { gatewayConfigMapMounts, renderedRouteFile } from './route-file.ts';
import { REPO } from './tools.ts';

/** The parts of a RouteTable (libs/routes/src/route-model.ts) the chart tests compare. */
export interface RouteTableView {
  version: string;
  upstreams: ReadonlyArray<{ name: string; kind: string } & Record<string, unknown>>;
  routes: ReadonlyArray<
    { name: string; auth: { scheme: string; scopes: string[] } } & Record<string, unknown>
  >;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see app-env.ts
const routes = require('@app/routes') as {
  parseRouteFile(
    content: string,
    source: { name: string; baseDir: string },
    defaults: unknown,
  ): RouteTableView;
  defaultRouteTable(env: unknown): RouteTableView;
  routeDefaultsOf(env: unknown): unknown;
};

/** Where the gateway image keeps rpc-app-1's contract (the Dockerfile: proto/ -> /app/proto). */
export const IMAGE_PROTO_DIR = '/app/proto';
export const DEV_IMAGE_PROTO_DIR = '/src/proto';

/** The gateway's config parsed from the env a render gives it, as its loadConfig would. */
export function gatewayConfig(env: Record<string, string>): Record<string, unknown> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = gatewayEnv.safeParse(cleaned);
  if (!result.success)
    throw new Error(`the gateway refuses its env: ${result.error.issues[0]?.message}`);
  return result.data as Record<string, unknown>;
}

/** The table the gateway builds from a render's route file. Throws the parser's ConfigError. */
export function renderedRouteTable(objects: K8sObject[]): RouteTableView {
  const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
  const dir = mkdtempSync(join(tmpdir(), 'chart-routes-'));
  try {
    const local = new Map<string, string>([
      [IMAGE_PROTO_DIR, join(REPO, 'proto')],
      // The dev image (examples/values-dev.yaml) keeps the sources, proto/ included, in /src.
      [DEV_IMAGE_PROTO_DIR, join(REPO, 'proto')],
    ]);
    for (const [mountPath, data] of gatewayConfigMapMounts(objects)) {
      const copy = join(dir, `mount${local.size}`);
      mkdirSync(copy);
      for (const [name, content] of Object.entries(data)) writeFileSync(join(copy, name), content);
      local.set(mountPath, copy);
    }
    const toLocal = (path: string) => {
      const at = local.get(posix.dirname(path));
      return at === undefined ? path : join(at, posix.basename(path));
    };
    const file = renderedRouteFile(objects);
    for (const upstream of Object.values(file.upstreams ?? {}))
      if (Array.isArray(upstream.protos)) upstream.protos = upstream.protos.map(toLocal);
    return routes.parseRouteFile(
      JSON.stringify(file),
      { name: env.ROUTES_FILE, baseDir: local.get(posix.dirname(env.ROUTES_FILE))! },
      routes.routeDefaultsOf(gatewayConfig(env)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table the gateway builds without a route file, from WEBAPP_URL, RPC_TARGET, AUTH_ROUTES, RATE_LIMIT_ROUTES. */
export function defaultRouteTable(env: Record<string, string>): RouteTableView {
  // Without a route file: the gateway refuses those variables beside ROUTES_FILE.
  const withoutFile = Object.fromEntries(
    Object.entries(env).filter(([name]) => name !== 'ROUTES_FILE'),
  );
  return routes.defaultRouteTable(gatewayConfig(withoutFile));
}
