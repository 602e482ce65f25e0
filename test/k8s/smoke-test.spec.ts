// The `helm test` pod (templates/tests/smoke-test.yaml) follows the gateway's edge settings: HTTPS
// trusting the gateway's own certificate Secret with edge.tls, credentials with edge.auth, its own
// NetworkPolicy with networkPolicy.enabled. test/e2e/helm-smoke-test.e2e-spec.ts runs the same
// rendered pod env against real processes.
import { helmNotes, helmTemplate, type RenderOptions } from './support/helm.ts';
import { byKind, bytes } from './support/invariants.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form JSON */
const NAME = 'rel-gateway-stack-smoke-test';
const FQDN = 'rel-gateway-stack-gateway.shop.svc.cluster.local';
const TLS = ['edge.tls.existingSecret=gw-tls'];
const API_KEYS = ['edge.auth.default=api-key', 'edge.auth.apiKeys.existingSecret=gw-keys'];

function render(options: Pick<RenderOptions, 'set' | 'setJson'> = {}) {
  const objects = helmTemplate(options);
  const pod = byKind(objects, 'Pod').find((p) => p.metadata.name === NAME)!;
  const container = pod.spec.containers[0];
  const env = Object.fromEntries(
    (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
  );
  const sources: any[] =
    pod.spec.volumes.find((v: any) => v.name === 'smoke-secrets')?.projected.sources ?? [];
  /** The files the pod sees under its mounts: path -> `<secret>/<key>` (optional ones marked `?`). */
  const files = Object.fromEntries(
    sources.flatMap((source) =>
      source.secret.items.map((item: any) => [
        `/smoke-secrets/${item.path}`,
        `${source.secret.name}/${item.key}${source.secret.optional ? '?' : ''}`,
      ]),
    ),
  );
  const policy = byKind(objects, 'NetworkPolicy').find((p) => p.metadata.name === NAME);
  const gatewayPolicy = byKind(objects, 'NetworkPolicy').find(
    (p) => p.metadata.name === 'rel-gateway-stack-gateway',
  );
  return { objects, pod, container, env, files, policy, gatewayPolicy };
}

describe('the helm test pod', () => {
  test('defaults: plain HTTP to the gateway Service, no Secret mounted', () => {
    const { env, files, container } = render();
    expect(env).toEqual({ GATEWAY_URL: `http://${FQDN}:8000` });
    expect(files).toEqual({});
    expect(container.volumeMounts.map((m: any) => m.name)).toEqual(['tmp', 'smoke']);
  });

  test('resources: requests and limits, ephemeral storage covering its /tmp', () => {
    const { container, pod } = render();
    expect(container.resources).toEqual({
      requests: { cpu: '10m', memory: '32Mi', 'ephemeral-storage': '16Mi' },
      limits: { memory: '128Mi', 'ephemeral-storage': '128Mi' },
    });
    const tmp = pod.spec.volumes.find((v: any) => v.name === 'tmp').emptyDir.sizeLimit;
    expect(bytes(container.resources.limits['ephemeral-storage'])).toBeGreaterThan(bytes(tmp));
    const custom = render({ set: ['tests.resources.limits.ephemeral-storage=256Mi'] }).container;
    expect(custom.resources.limits['ephemeral-storage']).toBe('256Mi');
  });

  test('TLS on: HTTPS, trusting the CA and the certificate of the gateway Secret, for the Service name', () => {
    const { env, files } = render({ set: TLS });
    expect(env).toEqual({
      GATEWAY_URL: `https://${FQDN}:8000`,
      SMOKE_CA_FILES: '/smoke-secrets/tls/ca.crt,/smoke-secrets/tls/tls.crt',
      SMOKE_TLS_SERVER_NAME: FQDN,
    });
    // ca.crt only where the Secret has one (cert-manager CA issuers); never the private key.
    expect(files).toEqual({
      '/smoke-secrets/tls/tls.crt': 'gw-tls/tls.crt',
      '/smoke-secrets/tls/ca.crt': 'gw-tls/ca.crt?',
    });
  });

  test('TLS with a public certificate name, or deliberately unverified', () => {
    const named = render({ set: [...TLS, 'tests.tls.serverName=gateway.example.com'] });
    expect(named.env.SMOKE_TLS_SERVER_NAME).toBe('gateway.example.com');
    const insecure = render({ set: [...TLS, 'tests.tls.insecureSkipVerify=true'] });
    expect(insecure.env).toEqual({
      GATEWAY_URL: `https://${FQDN}:8000`,
      SMOKE_TLS_INSECURE: 'true',
    });
  });

  test("auth on: the first key of the gateway's own key Secret, under its key name", () => {
    const { env, files } = render({ set: [...API_KEYS, 'edge.auth.apiKeys.key=keys.txt'] });
    expect(env).toEqual({
      GATEWAY_URL: `http://${FQDN}:8000`,
      SMOKE_API_KEY_FILE: '/smoke-secrets/api-key',
    });
    expect(files).toEqual({ '/smoke-secrets/api-key': 'gw-keys/keys.txt' });
  });

  test('auth on: a dedicated smoke-test key, and a JWT for jwt routes', () => {
    const { env, files } = render({
      set: [
        ...API_KEYS,
        'tests.auth.apiKeySecret=smoke-key',
        'tests.auth.jwtSecret=smoke-jwt',
        'edge.auth.jwt.jwksUrl=https://id.example/jwks',
        'edge.auth.jwt.issuer=https://id.example',
        'edge.auth.jwt.audience=gateway',
      ],
      setJson: ['edge.auth.routes={"/verify":"jwt:users.verify"}'],
    });
    expect(env).toMatchObject({
      SMOKE_API_KEY_FILE: '/smoke-secrets/api-key',
      SMOKE_BEARER_TOKEN_FILE: '/smoke-secrets/token',
    });
    expect(files).toEqual({
      '/smoke-secrets/api-key': 'smoke-key/api-key',
      '/smoke-secrets/token': 'smoke-jwt/token',
    });
  });

  test('TLS and auth on together', () => {
    const { env, files, container } = render({ set: [...TLS, ...API_KEYS] });
    expect(env).toEqual({
      GATEWAY_URL: `https://${FQDN}:8000`,
      SMOKE_CA_FILES: '/smoke-secrets/tls/ca.crt,/smoke-secrets/tls/tls.crt',
      SMOKE_TLS_SERVER_NAME: FQDN,
      SMOKE_API_KEY_FILE: '/smoke-secrets/api-key',
    });
    expect(Object.keys(files).sort()).toEqual([
      '/smoke-secrets/api-key',
      '/smoke-secrets/tls/ca.crt',
      '/smoke-secrets/tls/tls.crt',
    ]);
    expect(container.volumeMounts).toContainEqual({
      name: 'smoke-secrets',
      mountPath: '/smoke-secrets',
      readOnly: true,
    });
    // Every file the script is pointed at is one the pod mounts.
    const pointed = [...env.SMOKE_CA_FILES.split(','), env.SMOKE_API_KEY_FILE];
    expect(pointed.filter((file) => !(file in files))).toEqual([]);
  });

  test('NetworkPolicies on: its own policy lets it reach DNS and the gateway pods, nothing in', () => {
    const { policy, pod } = render({ set: ['components.gateway.service.port=80'] });
    expect(policy!.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    expect(policy!.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'gateway-stack',
      'app.kubernetes.io/instance': 'rel',
      'app.kubernetes.io/component': 'test',
    });
    for (const [key, value] of Object.entries(policy!.spec.podSelector.matchLabels))
      expect(pod.metadata.labels?.[key]).toBe(value);
    expect(policy!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy!.spec.ingress).toBeUndefined();
    const [dns, gateway] = policy!.spec.egress;
    expect(dns.ports.map((p: any) => p.port)).toEqual([53, 53]);
    expect(gateway.to).toEqual([
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'gateway-stack',
            'app.kubernetes.io/instance': 'rel',
            'app.kubernetes.io/component': 'gateway',
          },
        },
      },
    ]);
    // The Service listens on 80; policies see the pod's port behind it.
    expect(gateway.ports).toEqual([{ port: 8000, protocol: 'TCP' }]);
  });

  test("NetworkPolicies on with the gateway restricted: the gateway's policy still admits the test pod", () => {
    const { gatewayPolicy } = render({
      setJson: [
        'networkPolicy.gatewayFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}}]',
      ],
    });
    expect(gatewayPolicy!.spec.ingress[0].from).toContainEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'gateway-stack',
          'app.kubernetes.io/instance': 'rel',
          'app.kubernetes.io/component': 'test',
        },
      },
    });
  });

  test('NOTES.txt says when the test pod lacks a credential for the routes it calls', () => {
    const jwt = [
      'edge.auth.jwt.jwksUrl=https://id.example/jwks',
      'edge.auth.jwt.issuer=i',
      'edge.auth.jwt.audience=a',
    ];
    expect(helmNotes()).not.toContain('401');
    expect(helmNotes(API_KEYS)).not.toContain('401');
    expect(helmNotes(['edge.auth.routes./verify=jwt', ...jwt])).toContain(
      'it has no JWT (set tests.auth.jwtSecret)',
    );
    expect(
      helmNotes(['edge.auth.routes./verify=jwt', ...jwt, 'tests.auth.jwtSecret=smoke-jwt']),
    ).not.toContain('401');
    // With TLS on, the curl lines use https.
    expect(helmNotes(TLS)).toContain('https://127.0.0.1:8000/projects/');
  });

  test('NetworkPolicies off: no policy for the test pod either', () => {
    expect(render({ set: ['networkPolicy.enabled=false'] }).policy).toBeUndefined();
  });
});
