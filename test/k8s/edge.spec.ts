import {
  helmNotes as notes,
  helmTemplate,
  helmTemplateRaw,
  type K8sObject,
} from './support/helm.ts';
import { renderedRouteFile } from './support/route-file.ts';

interface Container {
  env?: unknown;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes: Array<{ name: string; secret?: { secretName: string } }>;
}

function render(set: string[] = [], setJson: string[] = []) {
  const objects = helmTemplate({ set, setJson });
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject;
  const env = (component: string) =>
    find('ConfigMap', `rel-gateway-stack-${component}-env`).data as Record<string, string>;
  const pod = (component: string) =>
    (find('Deployment', `rel-gateway-stack-${component}`).spec as { template: { spec: PodSpec } })
      .template.spec;
  return { env, pod, objects };
}

describe('chart: edge security of the gateway (values edge)', () => {
  test("defaults: no authentication, CORS off; the slow-client bounds are left to the apps' defaults", () => {
    const { env } = render();
    expect(env('gateway').AUTH_DEFAULT).toBe('none');
    // Null values render nothing: the gateway's and rpc-app-1's own defaults apply
    // (test/k8s/app-defaults.spec.ts holds the documented defaults to their schemas).
    for (const app of ['gateway', 'webapp-1', 'rpc-app-1'])
      expect(
        Object.keys(env(app)).filter((k) => /^(AUTH_(?!DEFAULT)|CORS|HTTP|TLS|GRPC)_?/.test(k)),
      ).toEqual([]);
    expect(env('rpc-app-1').AUTH_DEFAULT).toBeUndefined();
  });

  test('set timings and limits reach the gateway and rpc-app-1 only', () => {
    const { env } = render([
      'edge.http.headersTimeoutMs=20000',
      'edge.http.maxRequestsPerSocket=0',
      'edge.cors.maxAgeSeconds=0',
      'edge.grpc.maxConcurrentStreams=50',
    ]);
    expect(env('gateway')).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: '20000',
      HTTP_MAX_REQUESTS_PER_SOCKET: '0',
      CORS_MAX_AGE_S: '0',
    });
    expect(env('rpc-app-1')).toMatchObject({ GRPC_MAX_CONCURRENT_STREAMS: '50' });
    expect(env('gateway').GRPC_MAX_CONCURRENT_STREAMS).toBeUndefined();
    expect(env('webapp-1').HTTP_HEADERS_TIMEOUT_MS).toBeUndefined();
  });

  test('API keys from a Secret: mounted read-only as a directory (live rotation), named by AUTH_API_KEYS_FILE', () => {
    const { env, pod, objects } = render(
      [
        'edge.auth.apiKeys.existingSecret=gw-keys',
        'edge.auth.jwt.jwksUrl=https://id.example/jwks',
        'edge.auth.jwt.issuer=https://id.example',
        'edge.auth.jwt.audience=gateway',
      ],
      ['edge.auth.routes={"/projects":"api-key","/verify":"jwt:users.verify+users.read"}'],
    );
    // Per-route schemes are the routes' auth in the gateway's route file (test/k8s/routes.spec.ts).
    expect(renderedRouteFile(objects).routes.map((route) => [route.name, route.auth])).toEqual([
      ['projects', { scheme: 'api-key' }],
      ['verify', { scheme: 'jwt', scopes: ['users.verify', 'users.read'] }],
    ]);
    expect(env('gateway')).toMatchObject({
      AUTH_API_KEYS_FILE: '/etc/gateway-stack/api-keys/api-keys',
      AUTH_JWT_JWKS_URL: 'https://id.example/jwks',
      AUTH_JWT_ISSUER: 'https://id.example',
      AUTH_JWT_AUDIENCE: 'gateway',
    });
    const spec = pod('gateway');
    expect(spec.volumes).toContainEqual(
      expect.objectContaining({
        name: 'api-keys',
        secret: expect.objectContaining({ secretName: 'gw-keys' }),
      }),
    );
    const mount = spec.containers[0].volumeMounts.find((m) => m.name === 'api-keys');
    expect(mount).toEqual({
      name: 'api-keys',
      mountPath: '/etc/gateway-stack/api-keys',
      readOnly: true,
    });
    expect(pod('webapp-1').volumes.map((v) => v.name)).toEqual(['tmp']);
  });

  test('a static JWT key from a Secret, and CORS origins', () => {
    const { env, pod } = render(
      [
        'edge.auth.default=jwt',
        'edge.auth.jwt.publicKeySecret=jwt-pub',
        'edge.auth.jwt.issuer=i',
        'edge.auth.jwt.audience=a',
      ],
      ['edge.cors.allowedOrigins=["https://a.example","https://b.example"]'],
    );
    expect(env('gateway')).toMatchObject({
      AUTH_JWT_PUBLIC_KEY_FILE: '/etc/gateway-stack/jwt-key/public.pem',
      CORS_ALLOWED_ORIGINS: 'https://a.example,https://b.example',
    });
    expect(pod('gateway').containers[0].volumeMounts.map((m) => m.name)).toEqual([
      'tmp',
      'jwt-key',
      'routes',
      'protos',
    ]);
  });

  test('TLS from a kubernetes.io/tls Secret, mounted read-only as a directory', () => {
    const { env, pod } = render(['edge.tls.existingSecret=gw-tls']);
    expect(env('gateway')).toMatchObject({
      TLS_CERT_FILE: '/etc/gateway-stack/tls/tls.crt',
      TLS_KEY_FILE: '/etc/gateway-stack/tls/tls.key',
    });
    expect(pod('gateway').volumes).toContainEqual(
      expect.objectContaining({
        name: 'tls',
        secret: expect.objectContaining({ secretName: 'gw-tls' }),
      }),
    );
    expect(pod('gateway').containers[0].volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/etc/gateway-stack/tls',
      readOnly: true,
    });
    expect(env('webapp-1').TLS_CERT_FILE).toBeUndefined();
  });

  test.each([
    [
      ['edge.auth.default=api-key'],
      [],
      /api-key authentication needs edge.auth.apiKeys.existingSecret/,
    ],
    [
      ['edge.auth.default=jwt', 'edge.auth.jwt.issuer=i', 'edge.auth.jwt.audience=a'],
      [],
      /exactly one of edge.auth.jwt.jwksUrl/,
    ],
    [[], ['edge.auth.routes={"/verify":"jwt"}'], /jwt authentication needs exactly one/],
    [['edge.auth.default=basic'], [], /\/edge\/auth\/default/],
    [[], ['edge.auth.routes={"/verify":"jwt:a, b"}'], /\/edge\/auth\/routes/],
  ])('refuses %j %j', (set, setJson, message) => {
    const result = helmTemplateRaw({ set, setJson });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  test('NOTES.txt warns when the gateway is exposed and nothing needs credentials', () => {
    const warning = 'WARNING: the gateway is exposed';
    expect(notes([])).not.toContain(warning);
    expect(notes(['components.gateway.service.type=NodePort'])).toContain(`${warning} (NodePort)`);
    expect(notes(['components.gateway.service.type=LoadBalancer'])).toContain(
      `${warning} (LoadBalancer)`,
    );
    expect(notes(['ingress.enabled=true'])).toContain(`${warning} (Ingress)`);
    expect(
      notes([
        'ingress.enabled=true',
        'edge.auth.default=api-key',
        'edge.auth.apiKeys.existingSecret=k',
      ]),
    ).not.toContain(warning);
  });
});
