// gatewayApi in the chart: off by default (nothing of it renders, the route file serves), on it
// turns the gateway - and only the gateway - into a Gateway API reader with least privilege.
import { gatewayEnv } from './support/app-env.ts';
import { helmTemplate, helmTemplateRaw, type K8sObject } from './support/helm.ts';
import {
  appDeployments,
  byKind,
  containerEnv,
  networkPoliciesSelect,
} from './support/invariants.ts';
import { KUBE_VERSIONS, schemaSet } from './support/k8s-schemas.ts';

type Role = {
  metadata: { name: string };
  rules: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[];
};
type Binding = {
  roleRef: { name: string };
  subjects: { kind: string; name: string; namespace: string }[];
};
type Pod = { spec: { template: { spec: { automountServiceAccountToken?: boolean } } } };
const ENABLED = ['gatewayApi.enabled=true'];

function tokens(objects: K8sObject[]): Record<string, boolean | undefined> {
  return Object.fromEntries(
    [...appDeployments(objects)].map(([app, deployment]) => [
      app,
      (deployment as unknown as Pod).spec.template.spec.automountServiceAccountToken,
    ]),
  );
}

describe('gatewayApi (chart)', () => {
  it('renders nothing of it by default: no RBAC, no GatewayClass, no token, the route file', () => {
    const objects = helmTemplate();
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'GatewayClass'])
      expect(byKind(objects, kind)).toEqual([]);
    expect(tokens(objects)).toEqual({ gateway: false, 'webapp-1': false, 'rpc-app-1': false });
    const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
    expect(env.ROUTES_FILE).toBeDefined();
    expect(env.GATEWAY_API_CONTROLLER_NAME).toBeUndefined();
    expect(env.GATEWAY_API_INTERNAL_PORTS).toBeUndefined();
    expect(gatewayIngressPorts(objects)).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });

  it('on: the gateway gets its controller name instead of a route file, which its schema accepts', () => {
    const objects = helmTemplate({ set: ENABLED });
    const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
    expect(env.GATEWAY_API_CONTROLLER_NAME).toBe('gateway-stack.local/gateway-controller');
    expect(env.ROUTES_FILE).toBeUndefined();
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
    expect(gatewayEnv.safeParse(cleaned).error?.issues ?? []).toEqual([]);
  });

  it("on: the gateway's memory limit is gatewayApi.gatewayResources' (512Mi), components.gateway's still winning", () => {
    type Limits = {
      spec: {
        template: { spec: { containers: { resources: { limits?: { memory?: string } } }[] } };
      };
    };
    const memory = (objects: K8sObject[]) =>
      Object.fromEntries(
        [...appDeployments(objects)].map(([app, deployment]) => [
          app,
          (deployment as unknown as Limits).spec.template.spec.containers[0].resources.limits
            ?.memory,
        ]),
      );
    expect(memory(helmTemplate())).toEqual({
      gateway: '256Mi',
      'webapp-1': '256Mi',
      'rpc-app-1': '256Mi',
    });
    expect(memory(helmTemplate({ set: ENABLED }))).toEqual({
      gateway: '512Mi',
      'webapp-1': '256Mi',
      'rpc-app-1': '256Mi',
    });
    expect(
      memory(helmTemplate({ set: [...ENABLED, 'components.gateway.resources.limits.memory=1Gi'] }))
        .gateway,
    ).toBe('1Gi');
  });

  it('on: only the gateway mounts a token; it reads the objects and writes nothing but their status', () => {
    const objects = helmTemplate({ set: ENABLED, release: 'rel', namespace: 'shop' });
    expect(tokens(objects)).toEqual({ gateway: true, 'webapp-1': false, 'rpc-app-1': false });
    const [role] = byKind(objects, 'ClusterRole') as unknown as Role[];
    const grants = (verbs: string[]) =>
      role.rules
        .filter((rule) => rule.verbs.some((verb) => verbs.includes(verb)))
        .flatMap((rule) => rule.resources)
        .sort();
    expect(grants(['get', 'list', 'watch'])).toEqual(
      [
        'endpointslices',
        'gatewayclasses',
        'gateways',
        'grpcroutes',
        'httproutes',
        'namespaces',
        'referencegrants',
        'services',
      ].sort(),
    );
    expect(grants(['update'])).toEqual(
      ['gatewayclasses/status', 'gateways/status', 'grpcroutes/status', 'httproutes/status'].sort(),
    );
    expect(
      role.rules
        .flatMap((rule) => rule.verbs)
        .filter((verb) => !['get', 'list', 'watch', 'update'].includes(verb)),
    ).toEqual([]);
    const gatewayAccount = byKind(objects, 'ServiceAccount').find((sa) =>
      sa.metadata.name.endsWith('-gateway'),
    );
    const subjects = [
      { kind: 'ServiceAccount', name: gatewayAccount?.metadata.name, namespace: 'shop' },
    ];
    const [binding] = byKind(objects, 'ClusterRoleBinding') as unknown as Binding[];
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual(subjects);
  });

  it('on: the status Lease - and only it - may be read and renewed, in the release namespace', () => {
    const objects = helmTemplate({ set: ENABLED, release: 'rel', namespace: 'shop' });
    const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
    const [namespace, lease] = env.GATEWAY_API_STATUS_LEASE.split('/');
    expect(namespace).toBe('shop');
    const role = (byKind(objects, 'Role') as unknown as Role[]).find(
      (r) => r.metadata.name === lease,
    )!;
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [lease],
        verbs: ['get', 'update'],
      },
    ]);
    const binding = (byKind(objects, 'RoleBinding') as unknown as Binding[]).find(
      (b) => b.roleRef.name === lease,
    )!;
    expect(binding.subjects.map((s) => s.name)).toEqual([
      byKind(objects, 'ServiceAccount').find((sa) => sa.metadata.name.endsWith('-gateway'))
        ?.metadata.name,
    ]);
    // The Service the per-Gateway Services copy (namespace, pods, type); with gatewayServices off
    // the Gateways' address is its own.
    const service = byKind(objects, 'Service').find(
      (s) => `shop/${s.metadata.name}` === env.GATEWAY_API_SERVICE,
    );
    expect(service?.metadata.name).toMatch(/-gateway$/);
  });

  it('on: a GatewayClass naming the controller, unless its name is empty', () => {
    const [gatewayClass] = byKind(helmTemplate({ set: ENABLED }), 'GatewayClass') as unknown as {
      metadata: { name: string };
      spec: { controllerName: string };
    }[];
    expect(gatewayClass.metadata.name).toBe('gateway-stack');
    expect(gatewayClass.spec.controllerName).toBe('gateway-stack.local/gateway-controller');
    expect(
      byKind(helmTemplate({ set: [...ENABLED, 'gatewayApi.gatewayClassName='] }), 'GatewayClass'),
    ).toEqual([]);
  });

  it("on: the GatewayClass description fits the CRD's 64 bytes whatever the release's names", () => {
    const [gatewayClass] = byKind(
      helmTemplate({ set: ENABLED, release: 'r'.repeat(53), namespace: 'n'.repeat(63) }),
      'GatewayClass',
    ) as unknown as { spec: { description: string } }[];
    expect(Buffer.byteLength(gatewayClass.spec.description)).toBeLessThanOrEqual(64);
    expect(gatewayClass.spec.description).toMatch(/^gateway-stack release n+/);
  });

  it('refuses gateway.routes beside it, and a controller name that is not a domain-prefixed path', () => {
    const withRoutes = helmTemplateRaw({
      set: ENABLED,
      setJson: [
        'gateway.routes=[{"name":"x","match":{"path":"/x","methods":["GET"]},"upstream":"webapp-1"}]',
      ],
    });
    expect(withRoutes.status).not.toBe(0);
    expect(withRoutes.stderr).toContain('with gatewayApi.enabled');
    const badName = helmTemplateRaw({ set: [...ENABLED, 'gatewayApi.controllerName=bad'] });
    expect(badName.status).not.toBe(0);
    expect(badName.stderr).toContain('/gatewayApi/controllerName');
  });

  it('https on: a TLS port on the pods and the Service, TLS Secrets listed and watched, nothing more', () => {
    const objects = helmTemplate({ set: [...ENABLED, 'gatewayApi.https.enabled=true'] });
    const gateway = appDeployments(objects).get('gateway')!;
    const env = containerEnv(objects, gateway);
    expect(env.GATEWAY_API_HTTPS_PORT).toBe('8443');
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
    expect(gatewayEnv.safeParse(cleaned).error?.issues ?? []).toEqual([]);
    const ports = (gateway as unknown as PodPorts).spec.template.spec.containers[0].ports;
    expect(ports).toContainEqual({ name: 'https', containerPort: 8443, protocol: 'TCP' });
    expect(servicePorts(objects, 'gateway')).toContainEqual({
      name: 'https',
      port: 443,
      targetPort: 'https',
      protocol: 'TCP',
    });
    const [role] = byKind(objects, 'ClusterRole') as unknown as Role[];
    expect(role.rules.filter((rule) => rule.resources.includes('secrets'))).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] },
    ]);
    const policy = byKind(objects, 'NetworkPolicy').find((p) =>
      p.metadata.name.endsWith('-gateway'),
    );
    expect(JSON.stringify(policy)).toContain('"port":"https"');
  });

  it('https off (the default): no TLS port, no Secret read', () => {
    const objects = helmTemplate({ set: ENABLED });
    const [role] = byKind(objects, 'ClusterRole') as unknown as Role[];
    expect(role.rules.flatMap((rule) => rule.resources)).not.toContain('secrets');
    expect(servicePorts(objects, 'gateway').map((port) => port.name)).not.toContain('https');
    const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
    expect(env.GATEWAY_API_HTTPS_PORT).toBeUndefined();
  });
});

describe('gatewayApi.gatewayServices (chart)', () => {
  const SERVICES_OFF = [...ENABLED, 'gatewayApi.gatewayServices.enabled=false'];
  const gatewayEnvOf = (objects: K8sObject[]) =>
    containerEnv(objects, appDeployments(objects).get('gateway')!);
  const servicesRoles = (objects: K8sObject[]) =>
    byKind(objects, 'Role').filter((r) => r.metadata.name.endsWith('-gateway-api-services'));

  it('on by default with gatewayApi: the gateway gets the internal port range, which its schema accepts', () => {
    const env = gatewayEnvOf(helmTemplate({ set: ENABLED }));
    expect(env.GATEWAY_API_INTERNAL_PORTS).toBe('20000-29999');
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
    expect(gatewayEnv.safeParse(cleaned).error?.issues ?? []).toEqual([]);
    const custom = gatewayEnvOf(
      helmTemplate({ set: [...ENABLED, 'gatewayApi.gatewayServices.internalPorts=30000-30099'] }),
    );
    expect(custom.GATEWAY_API_INTERNAL_PORTS).toBe('30000-30099');
  });

  it('off: no range, no Services Role, no range in the NetworkPolicy - the gateway Service is every address', () => {
    const objects = helmTemplate({ set: SERVICES_OFF });
    expect(gatewayEnvOf(objects).GATEWAY_API_INTERNAL_PORTS).toBeUndefined();
    expect(gatewayEnvOf(objects).GATEWAY_API_CONTROLLER_NAME).toBeDefined();
    expect(servicesRoles(objects)).toEqual([]);
    expect(byKind(objects, 'Role').map((r) => r.metadata.name)).toEqual([
      'rel-gateway-stack-gateway-api-status',
    ]);
    expect(byKind(objects, 'RoleBinding').map((r) => r.metadata.name)).toEqual([
      'rel-gateway-stack-gateway-api-status',
    ]);
    expect(gatewayIngressPorts(objects)).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });

  it("on: a Role of the release's namespace lets the gateway write Services - nothing else, list and watch staying in the ClusterRole", () => {
    const objects = helmTemplate({ set: ENABLED, release: 'rel', namespace: 'shop' });
    const [role] = servicesRoles(objects) as unknown as Role[];
    expect(role.metadata.name).toBe('rel-gateway-stack-gateway-api-services');
    // helm template sets no namespace: the Role is installed in the release's.
    expect((role as unknown as K8sObject).metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['services'], verbs: ['create', 'update', 'patch', 'delete'] },
    ]);
    const bindings = (byKind(objects, 'RoleBinding') as unknown as Binding[]).filter(
      (b) => b.roleRef.name === role.metadata.name,
    );
    expect(bindings).toHaveLength(1);
    expect(bindings[0].roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    expect(bindings[0].subjects).toEqual([
      { kind: 'ServiceAccount', name: 'rel-gateway-stack-gateway', namespace: 'shop' },
    ]);
    const [clusterRole] = byKind(objects, 'ClusterRole') as unknown as Role[];
    expect(clusterRole.rules.filter((rule) => rule.resources.includes('services'))).toEqual([
      { apiGroups: [''], resources: ['namespaces', 'services'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  it('on: the Role has a name of its own within 63 characters for a long release', () => {
    const objects = helmTemplate({ set: ENABLED, release: `r${'x'.repeat(52)}` });
    const names = byKind(objects, 'Role').map((r) => r.metadata.name);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(63);
    expect(names.filter((name) => name.endsWith('-gateway-api-services'))).toHaveLength(1);
  });

  it("on: the gateway's NetworkPolicy admits the range from the public port's peers", () => {
    expect(gatewayIngressPorts(helmTemplate({ set: ENABLED }))).toEqual([
      { port: 'http', protocol: 'TCP' },
      { port: 20000, endPort: 29999, protocol: 'TCP' },
    ]);
    const peer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'lb' } } };
    const objects = helmTemplate({
      set: [...ENABLED, 'gatewayApi.gatewayServices.internalPorts=30000-30099'],
      setJson: [`networkPolicy.gatewayFrom=${JSON.stringify([peer])}`],
    });
    const [rule] = gatewayIngress(objects);
    expect(rule.ports).toEqual([
      { port: 'http', protocol: 'TCP' },
      { port: 30000, endPort: 30099, protocol: 'TCP' },
    ]);
    expect(rule.from?.[0]).toEqual(peer);
    expect(
      byKind(helmTemplate({ set: [...ENABLED, 'networkPolicy.enabled=false'] }), 'NetworkPolicy'),
    ).toEqual([]);
  });

  it('on: the RBAC and the NetworkPolicy are valid Kubernetes objects, and the policies select what they should', () => {
    const objects = helmTemplate({
      set: [...ENABLED, 'gatewayApi.https.enabled=true', 'gatewayApi.gatewayClassName='],
      namespace: 'shop',
    });
    for (const kubeVersion of KUBE_VERSIONS) {
      const schemas = schemaSet(kubeVersion);
      expect(
        objects.flatMap((object) =>
          schemas.validate(object).map((p) => `${object.kind}/${object.metadata.name}: ${p}`),
        ),
      ).toEqual([]);
    }
    expect(networkPoliciesSelect(objects)).toEqual([]);
  });

  it.each([
    ['not a range', 'abc'],
    ['one port', '20000'],
    ['port 0', '0-10'],
    ['from above to', '20010-20000'],
    ['above 65535', '60000-70000'],
    ['empty', ''],
  ])('refuses a range that is %s (%p)', (_what, value) => {
    for (const set of [ENABLED, [...ENABLED, 'networkPolicy.enabled=false']]) {
      // --set-string: --set would make 20000 a number, which the schema refuses first (below).
      const result = helmTemplateRaw({ set }, [
        '--set-string',
        `gatewayApi.gatewayServices.internalPorts=${value}`,
      ]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(
        `gatewayApi.gatewayServices.internalPorts="${value}": give a port range from-to with 1 <= from <= to <= 65535 (e.g. 20000-29999)`,
      );
    }
  });

  it('refuses a number (the schema wants the string from-to)', () => {
    const result = helmTemplateRaw({
      set: [...ENABLED, 'gatewayApi.gatewayServices.internalPorts=20000'],
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('/gatewayApi/gatewayServices/internalPorts');
  });

  it.each([
    ['components.gateway.containerPort (8000)', '7000-8000', []],
    [
      'components.gateway.containerPort (8100)',
      '8100-8100',
      ['components.gateway.containerPort=8100'],
    ],
    ['components.gateway.adminPort (9000)', '9000-9999', []],
    ['components.gateway.adminPort (9100)', '9050-9150', ['componentDefaults.adminPort=9100']],
    ['gatewayApi.https.containerPort (8443)', '8443-8443', ['gatewayApi.https.enabled=true']],
  ])('refuses a range holding %s', (what, range, extra) => {
    const result = helmTemplateRaw({
      set: [...ENABLED, ...extra, `gatewayApi.gatewayServices.internalPorts=${range}`],
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      `gatewayApi.gatewayServices.internalPorts="${range}" holds ${what}, which the gateway listens on already: choose a range without it`,
    );
  });

  it('accepts a range next to those ports, the HTTPS port while https is off, and any range while off', () => {
    for (const set of [
      [...ENABLED, 'gatewayApi.gatewayServices.internalPorts=8001-8999'],
      [...ENABLED, 'gatewayApi.gatewayServices.internalPorts=8443-8443'],
      [...SERVICES_OFF, 'gatewayApi.gatewayServices.internalPorts=8000-9000'],
      ['gatewayApi.gatewayServices.internalPorts=nonsense'],
    ])
      expect(helmTemplateRaw({ set }).stderr).toBe('');
  });
});

type PodPorts = {
  spec: { template: { spec: { containers: { ports: { name: string }[] }[] } } };
};

/** The ports of a component's main Service. */
function servicePorts(objects: K8sObject[], component: string): { name: string }[] {
  const service = byKind(objects, 'Service').find((s) => s.metadata.name.endsWith(`-${component}`));
  return (service as unknown as { spec: { ports: { name: string }[] } }).spec.ports;
}

type IngressRule = {
  ports?: { port: string | number; endPort?: number; protocol: string }[];
  from?: unknown[];
};

/** The ingress rules of the gateway's NetworkPolicy. */
function gatewayIngress(objects: K8sObject[]): IngressRule[] {
  const policy = byKind(objects, 'NetworkPolicy').find((p) => p.metadata.name.endsWith('-gateway'));
  return (policy as unknown as { spec: { ingress: IngressRule[] } }).spec.ingress;
}

/** The ports of the gateway's first ingress rule (the public one; the second is the admin port's). */
function gatewayIngressPorts(objects: K8sObject[]) {
  return gatewayIngress(objects)[0].ports;
}
