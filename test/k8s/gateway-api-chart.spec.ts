// gatewayApi in the chart: off by default (nothing of it renders, the route file serves), on it
// turns the gateway - and only the gateway - into a Gateway API reader with least privilege.
import { gatewayEnv } from './support/app-env.ts';
import { helmTemplate, helmTemplateRaw, type K8sObject } from './support/helm.ts';
import { appDeployments, byKind, containerEnv } from './support/invariants.ts';

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
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'GatewayClass'])
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

  it('on: only the gateway mounts a token, bound to a read-only role without Secrets', () => {
    const objects = helmTemplate({ set: ENABLED, release: 'rel', namespace: 'shop' });
    expect(tokens(objects)).toEqual({ gateway: true, 'webapp-1': false, 'rpc-app-1': false });
    const [role] = byKind(objects, 'ClusterRole') as unknown as {
      metadata: { name: string };
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    }[];
    expect(
      role.rules.flatMap((rule) => rule.verbs).every((v) => ['get', 'list', 'watch'].includes(v)),
    ).toBe(true);
    expect(role.rules.flatMap((rule) => rule.resources).sort()).toEqual(
      [
        'endpointslices',
        'gatewayclasses',
        'gateways',
        'httproutes',
        'namespaces',
        'referencegrants',
        'services',
      ].sort(),
    );
    const [binding] = byKind(objects, 'ClusterRoleBinding') as unknown as {
      roleRef: { name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    }[];
    const gatewayAccount = byKind(objects, 'ServiceAccount').find((sa) =>
      sa.metadata.name.endsWith('-gateway'),
    );
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: gatewayAccount?.metadata.name, namespace: 'shop' },
    ]);
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
});
