// gatewayApi in the chart: off by default (nothing of it renders, the route file serves), on it
// turns the gateway - and only the gateway - into a Gateway API reader with least privilege.
import { gatewayEnv } from './support/app-env.ts';
import { helmTemplate, helmTemplateRaw, type K8sObject } from './support/helm.ts';
import { appDeployments, byKind, containerEnv } from './support/invariants.ts';

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
    const [role] = byKind(objects, 'Role') as unknown as Role[];
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [lease],
        verbs: ['get', 'update'],
      },
    ]);
    const [binding] = byKind(objects, 'RoleBinding') as unknown as Binding[];
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects.map((s) => s.name)).toEqual([
      byKind(objects, 'ServiceAccount').find((sa) => sa.metadata.name.endsWith('-gateway'))
        ?.metadata.name,
    ]);
    // The Gateways' address is the gateway's own Service's.
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

type PodPorts = {
  spec: { template: { spec: { containers: { ports: { name: string }[] }[] } } };
};

/** The ports of a component's main Service. */
function servicePorts(objects: K8sObject[], component: string): { name: string }[] {
  const service = byKind(objects, 'Service').find((s) => s.metadata.name.endsWith(`-${component}`));
  return (service as unknown as { spec: { ports: { name: string }[] } }).spec.ports;
}
