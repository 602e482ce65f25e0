// The gateway's route file as the chart renders it (templates/_routes.tpl), read by the gateway's
// own parser (parseRouteFile, libs/routes; support/route-table.ts maps the mounted paths). The
// gateway's two routes must mean what WEBAPP_URL, RPC_TARGET, AUTH_ROUTES and RATE_LIMIT_ROUTES
// meant before the file replaced them; the file is mounted so that it can change without a pod
// restart; what the gateway would refuse in it, the chart either refuses or passes through.
import { join } from 'node:path';
import { helmTemplate, helmTemplateRaw, type RenderOptions } from './support/helm.ts';
import { appDeployments, byKind, containerEnv } from './support/invariants.ts';
import { EXAMPLES_DIR, exampleFiles } from './support/matrix.ts';
import { gatewayConfigMapMounts, renderedRouteFile } from './support/route-file.ts';
import { defaultRouteTable, renderedRouteTable } from './support/route-table.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form JSON */

const ROUTES_EXAMPLE = join(EXAMPLES_DIR, 'values-routes.yaml');
const REPLACED = ['WEBAPP_URL', 'RPC_TARGET', 'AUTH_ROUTES', 'RATE_LIMIT_ROUTES'];
const WEBAPP = 'http://rel-gateway-stack-webapp-1-headless.shop.svc.cluster.local:5000';
const RPC = 'dns:///rel-gateway-stack-rpc-app-1-headless.shop.svc.cluster.local:6000';
const JWKS = [
  'edge.auth.jwt.jwksUrl=https://id.example/jwks',
  'edge.auth.jwt.issuer=https://id.example',
  'edge.auth.jwt.audience=gateway',
];

const gateway = (objects: any[]) => appDeployments(objects).get('gateway')!;
const gatewayEnvOf = (objects: any[]) => containerEnv(objects, gateway(objects));
const routesConfigMap = (objects: any[]) =>
  byKind(objects, 'ConfigMap').find(
    (cm) => cm.metadata.name === 'rel-gateway-stack-gateway-routes',
  );

describe("the gateway's own two routes mean what the variables they replace meant", () => {
  // Values, and the variables the chart rendered for them before the route file replaced them.
  const CASES: Array<[string, RenderOptions, Record<string, string>]> = [
    ['defaults', {}, { WEBAPP_URL: WEBAPP, RPC_TARGET: RPC }],
    [
      'per-route auth from edge.auth.routes (a trailing slash as the parser reads it)',
      {
        set: ['edge.auth.apiKeys.existingSecret=gw-keys', ...JWKS],
        setJson: [
          'edge.auth.routes={"/projects/":"api-key","/verify":"jwt:users.verify+users.read"}',
        ],
      },
      {
        WEBAPP_URL: WEBAPP,
        RPC_TARGET: RPC,
        AUTH_ROUTES: '/projects/=api-key,/verify=jwt:users.verify+users.read',
      },
    ],
    [
      'rate limits, auth and timeouts through components.gateway.env',
      {
        setJson: [
          'components.gateway.env={"RATE_LIMIT_ROUTES":"/verify=20/1000, /projects=200","AUTH_ROUTES":"/verify=none","WEBAPP_TIMEOUT_MS":2500,"RPC_TIMEOUT_MS":900,"RATE_LIMIT_WINDOW_MS":60000}',
        ],
      },
      {
        WEBAPP_URL: WEBAPP,
        RPC_TARGET: RPC,
        RATE_LIMIT_ROUTES: '/verify=20/1000, /projects=200',
        AUTH_ROUTES: '/verify=none',
      },
    ],
    [
      'upstreams pointed elsewhere through components.gateway.env',
      {
        setJson: [
          'components.gateway.env={"WEBAPP_URL":"http://legacy.example:5000, http://projects.example","RPC_TARGET":"dns:///verify.legacy.svc.cluster.local:7000"}',
        ],
      },
      {
        WEBAPP_URL: 'http://legacy.example:5000, http://projects.example',
        RPC_TARGET: 'dns:///verify.legacy.svc.cluster.local:7000',
      },
    ],
    [
      'another release, cluster domain and upstream port',
      {
        release: 'edge',
        set: ['clusterDomain=k8s.internal', 'components.webapp-1.containerPort=5100'],
      },
      {
        WEBAPP_URL: 'http://edge-gateway-stack-webapp-1-headless.shop.svc.k8s.internal:5100',
        RPC_TARGET: 'dns:///edge-gateway-stack-rpc-app-1-headless.shop.svc.k8s.internal:6000',
      },
    ],
  ];

  test.each(CASES)('%s', (_name, options, before) => {
    const objects = helmTemplate(options);
    const env = gatewayEnvOf(objects);
    const table = renderedRouteTable(objects);
    const expected = defaultRouteTable({ ...env, ...before });
    expect({ routes: table.routes, upstreams: table.upstreams }).toEqual({
      routes: expected.routes,
      upstreams: expected.upstreams,
    });
    // The variables the file replaces are gone (the gateway refuses them beside ROUTES_FILE).
    expect(env.ROUTES_FILE).toBe('/etc/gateway-stack/routes/routes.yaml');
    expect(REPLACED.filter((name) => name in env)).toEqual([]);
  });

  test('the comparison sees a difference (else it would prove nothing)', () => {
    const objects = helmTemplate({
      set: ['edge.auth.apiKeys.existingSecret=gw-keys'],
      setJson: ['edge.auth.routes={"/verify":"api-key"}'],
    });
    const expected = defaultRouteTable({
      ...gatewayEnvOf(objects),
      WEBAPP_URL: WEBAPP,
      RPC_TARGET: RPC,
    });
    expect(renderedRouteTable(objects).routes).not.toEqual(expected.routes);
  });
});

describe('mounted to change without a restart', () => {
  test('read-only directory mounts of the routes and protos ConfigMaps, never subPath; the protos one optional, rendered only when given', () => {
    const objects = helmTemplate();
    const spec = gateway(objects).spec.template.spec;
    expect(spec.containers[0].volumeMounts).toContainEqual({
      name: 'routes',
      mountPath: '/etc/gateway-stack/routes',
      readOnly: true,
    });
    expect(spec.volumes).toContainEqual({
      name: 'routes',
      configMap: { name: 'rel-gateway-stack-gateway-routes' },
    });
    expect(Object.keys(routesConfigMap(objects)!.data)).toEqual(['routes.yaml']);
    // Mounted even without gateway.protos (an empty directory): adding the first .proto later
    // must not change the pod template, or the upgrade that adds it would restart every gateway.
    expect(spec.volumes).toContainEqual({
      name: 'protos',
      configMap: { name: 'rel-gateway-stack-gateway-protos', optional: true },
    });
    expect(byKind(objects, 'ConfigMap').map((cm) => cm.metadata.name)).not.toContain(
      'rel-gateway-stack-gateway-protos',
    );

    const withProtos = gateway(helmTemplate({ valuesFiles: [ROUTES_EXAMPLE] })).spec.template.spec;
    expect(withProtos.containers[0].volumeMounts).toContainEqual({
      name: 'protos',
      mountPath: '/etc/gateway-stack/protos',
      readOnly: true,
    });
    expect(withProtos.volumes).toContainEqual({
      name: 'protos',
      configMap: { name: 'rel-gateway-stack-gateway-protos', optional: true },
    });
    for (const mount of withProtos.containers[0].volumeMounts)
      expect(mount.subPath).toBeUndefined();
    // Only the gateway reads routes.
    for (const app of ['webapp-1', 'rpc-app-1'])
      expect(
        appDeployments(helmTemplate({ valuesFiles: [ROUTES_EXAMPLE] }))
          .get(app)!
          .spec.template.spec.volumes.map((v: any) => v.name),
      ).toEqual(['tmp']);
  });

  test.each<[string, RenderOptions, RenderOptions]>([
    ['edge.auth.routes', {}, { setJson: ['edge.auth.routes={"/verify":"none"}'] }],
    [
      'RATE_LIMIT_ROUTES in components.gateway.env',
      {},
      { set: ['components.gateway.env.RATE_LIMIT_ROUTES=/verify=5'] },
    ],
    [
      'WEBAPP_URL in components.gateway.env',
      {},
      { set: ['components.gateway.env.WEBAPP_URL=http://legacy:5000'] },
    ],
    [
      'gateway.routes and gateway.upstreams',
      { valuesFiles: [ROUTES_EXAMPLE] },
      {
        valuesFiles: [ROUTES_EXAMPLE],
        setJson: [
          'gateway.routes=[{"name":"health","match":{"methods":["GET"],"path":{"exact":"/orders-health"}},"upstream":"orders"}]',
          'gateway.upstreams.orders.urls=["http://orders.commerce.svc.cluster.local:8081"]',
        ],
      },
    ],
    [
      'gateway.routes, gateway.upstreams and the first gateway.protos',
      {},
      { valuesFiles: [ROUTES_EXAMPLE] },
    ],
    [
      'the content of gateway.protos',
      { valuesFiles: [ROUTES_EXAMPLE] },
      {
        valuesFiles: [ROUTES_EXAMPLE],
        setJson: ['gateway.protos={"inventory.proto":"syntax = \\"proto3\\";"}'],
      },
    ],
  ])('only %s change: the route ConfigMaps change, the pod template does not', (_name, a, b) => {
    const [before, after] = [helmTemplate(a), helmTemplate(b)];
    const data = (objects: any[]) =>
      byKind(objects, 'ConfigMap')
        .filter((cm) => /-gateway-(routes|protos)$/.test(cm.metadata.name))
        .map((cm) => cm.data);
    expect(data(after)).not.toEqual(data(before));
    expect(gateway(after).spec.template).toEqual(gateway(before).spec.template);
  });
});

describe('routes and services added with values only (examples/values-routes.yaml)', () => {
  const objects = helmTemplate({ valuesFiles: [ROUTES_EXAMPLE] });

  test('an HTTP upstream with a path rewrite and a gRPC upstream with its proto from gateway.protos', () => {
    const table = renderedRouteTable(objects);
    expect(table.routes.map((route) => route.name)).toEqual([
      'order-create',
      'orders',
      'projects',
      'stock',
      'verify',
    ]);
    const upstream = (name: string) => table.upstreams.find((u) => u.name === name)!;
    expect(upstream('orders')).toMatchObject({
      kind: 'http',
      urls: ['http://orders-headless.commerce.svc.cluster.local:8080'],
      rewrite: { prefix: '/orders', replacement: '/api/v2/orders' },
    });
    expect(upstream('inventory')).toMatchObject({
      kind: 'grpc',
      target: 'dns:///inventory-headless.commerce.svc.cluster.local:50051',
    });
    expect(table.routes.find((route) => route.name === 'stock')).toMatchObject({
      upstream: 'inventory',
      grpc: { service: 'inventory.Inventory', method: 'GetStock' },
    });
    // The proto the route file names is the one gateway.protos mounts.
    expect(renderedRouteFile(objects).upstreams.inventory.protos).toEqual([
      '/etc/gateway-stack/protos/inventory.proto',
    ]);
    expect(gatewayConfigMapMounts(objects).get('/etc/gateway-stack/protos')).toEqual({
      'inventory.proto': expect.stringContaining('option (google.api.http)'),
    });
  });

  test("the gateway's NetworkPolicy opens egress to the added upstreams' ports", () => {
    const policy = byKind(objects, 'NetworkPolicy').find(
      (np) => np.metadata.name === 'rel-gateway-stack-gateway',
    )!;
    const portOnly = policy.spec.egress
      .filter((rule: { to?: unknown }) => !rule.to)
      .flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port));
    expect(portOnly.sort()).toEqual([50051, 8080]);
  });

  test('a gateway.upstreams entry named as one of the two is merged over it', () => {
    const table = renderedRouteTable(
      helmTemplate({
        setJson: ['gateway.upstreams={"webapp-1":{"kind":"http","traffic":{"timeoutMs":1234}}}'],
      }),
    );
    expect(table.upstreams.find((u) => u.name === 'webapp-1')).toMatchObject({
      urls: [WEBAPP],
      rewrite: { prefix: '/projects', replacement: '/create' },
      traffic: { timeoutMs: 1234 },
    });
  });
});

test.each(['(defaults)', ...exampleFiles()])('the gateway accepts the route file of %s', (file) => {
  const objects = helmTemplate(
    file === '(defaults)' ? {} : { valuesFiles: [join(EXAMPLES_DIR, file)] },
  );
  expect(renderedRouteTable(objects).routes.length).toBeGreaterThanOrEqual(2);
});

test('what the gateway refuses in gateway.routes, it refuses in the rendered file (one line each)', () => {
  const objects = helmTemplate({
    valuesFiles: [ROUTES_EXAMPLE],
    setJson: [
      'gateway.routes=[{"name":"lost","match":{"methods":["GET"],"path":{"exact":"/lost"}},"upstream":"order-svc"}]',
    ],
  });
  expect(() => renderedRouteTable(objects)).toThrow(
    '/etc/gateway-stack/routes/routes.yaml: routes[2] "lost": upstream: no upstream named "order-svc"',
  );
});

describe('refused with one line', () => {
  test.each<[string, RenderOptions, RegExp]>([
    [
      'a replaced variable in extraEnv',
      {
        setJson: [
          'components.gateway.extraEnv=[{"name":"AUTH_ROUTES","valueFrom":{"configMapKeyRef":{"name":"x","key":"y"}}}]',
        ],
      },
      /components.gateway.extraEnv\[0\] sets AUTH_ROUTES, which the gateway's route file replaces/,
    ],
    [
      'ROUTES_FILE in env',
      { set: ['components.gateway.env.ROUTES_FILE=/x.yaml'] },
      /invalid propertyName 'ROUTES_FILE'/,
    ],
    [
      'a route of edge.auth.routes the gateway does not serve',
      { setJson: ['edge.auth.routes={"/orders":"api-key"}'] },
      /invalid propertyName '\/orders'/,
    ],
    [
      'a route of AUTH_ROUTES the gateway does not serve',
      { set: ['components.gateway.env.AUTH_ROUTES=/nowhere=none'] },
      /components.gateway.env.AUTH_ROUTES: the gateway serves no route \/nowhere of its own/,
    ],
    [
      'a malformed AUTH_ROUTES',
      { set: ['components.gateway.env.AUTH_ROUTES=verify=jwt'] },
      /components.gateway.env.AUTH_ROUTES: expected <route>=<none\|api-key\|jwt>/,
    ],
    [
      'a RATE_LIMIT_ROUTES route listed twice',
      { set: ['components.gateway.env.RATE_LIMIT_ROUTES=/verify=1\\,/verify/=2'] },
      /RATE_LIMIT_ROUTES: route \/verify is listed twice/,
    ],
    [
      'a zero limit',
      { set: ['components.gateway.env.RATE_LIMIT_ROUTES=/verify=0'] },
      /RATE_LIMIT_ROUTES: a limit and a window must be at least 1/,
    ],
    [
      "a route named as one of the gateway's own",
      {
        setJson: [
          'gateway.routes=[{"name":"verify","match":{"methods":["GET"],"path":{"exact":"/v"}},"upstream":"rpc-app-1"}]',
        ],
      },
      /gateway.routes\[0\]: "verify" is the name of one of the gateway's own routes/,
    ],
    [
      'a route without a match',
      { setJson: ['gateway.routes=[{"name":"x","upstream":"y"}]'] },
      /\/gateway\/routes\/0/,
    ],
    [
      'an upstream of an unknown kind',
      { setJson: ['gateway.upstreams={"x":{"kind":"tcp"}}'] },
      /\/gateway\/upstreams\/x\/kind/,
    ],
    [
      'an upstream name the file refuses',
      { setJson: ['gateway.upstreams={"Orders Svc":{"kind":"http"}}'] },
      /invalid propertyName 'Orders Svc'/,
    ],
    [
      'a proto file name that is no .proto',
      { setJson: ['gateway.protos={"inventory.txt":"x"}'] },
      /invalid propertyName 'inventory.txt'/,
    ],
  ])('%s', (_name, options, message) => {
    const result = helmTemplateRaw(options);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
