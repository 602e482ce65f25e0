// The Helm chart, driven through the real helm binary: lint, the render matrix validated against
// the Kubernetes (and CRD) schemas with the chart's invariants, and the values schema's rejections.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  helmLint,
  helmNotes,
  helmTemplate,
  helmTemplateRaw,
  type K8sObject,
} from './support/helm.ts';
import {
  appDeployments,
  byKind,
  containerEnv,
  ephemeralStorageCovered,
  gatewayUpstreamsNameServices,
  gracePeriodCoversDrain,
  imagesPinned,
  networkPoliciesSelect,
  noIpLiterals,
  probesNameDeclaredPorts,
  pullSecretsEverywhere,
  scalersTargetWorkloads,
  secretRefsResolve,
  securityEverywhere,
  serviceMonitorPorts,
  servicesMatchWorkloads,
  validNames,
} from './support/invariants.ts';
import { schemaSet } from './support/k8s-schemas.ts';
import { renderedRouteFile } from './support/route-file.ts';
import { EXAMPLES_DIR, exampleFiles, matrixCases } from './support/matrix.ts';
import { CHART, run, tool } from './support/tools.ts';

const NAMESPACE = 'shop';

describe('helm lint --strict', () => {
  test('passes with the default values', () => {
    const result = helmLint();
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  test.each(exampleFiles())('passes with examples/%s', (file) => {
    const result = helmLint({ valuesFiles: [join(EXAMPLES_DIR, file)] });
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('render matrix: Kubernetes schemas and invariants', () => {
  const cases = matrixCases();

  test('covers every example file and both Kubernetes versions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(2 * (exampleFiles().length + 15));
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, matrixCase) => {
    const objects = helmTemplate({ ...matrixCase.options, namespace: NAMESPACE });
    const schemas = schemaSet(matrixCase.options.kubeVersion!);
    const problems = [
      ...objects.flatMap((object) =>
        schemas.validate(object).map((p) => `${object.kind}/${object.metadata.name}: ${p}`),
      ),
      ...noIpLiterals(objects),
      ...validNames(objects),
      ...servicesMatchWorkloads(objects),
      ...probesNameDeclaredPorts(objects),
      ...serviceMonitorPorts(objects),
      ...gatewayUpstreamsNameServices(objects, { namespace: NAMESPACE, ...matrixCase.expect }),
      ...scalersTargetWorkloads(objects),
      ...securityEverywhere(objects, matrixCase.expect),
      ...networkPoliciesSelect(objects),
      ...gracePeriodCoversDrain(objects),
      ...imagesPinned(objects),
      ...pullSecretsEverywhere(objects, matrixCase.expect.imagePullSecrets ?? []),
      ...secretRefsResolve(objects, matrixCase.expect.secrets ?? []),
      ...ephemeralStorageCovered(objects),
    ];
    expect(problems).toEqual([]);
    expect([...appDeployments(objects).keys()].sort()).toEqual([
      'gateway',
      'rpc-app-1',
      'webapp-1',
    ]);
    for (const kind of matrixCase.expect.kinds ?? [])
      expect(byKind(objects, kind).length).toBeGreaterThan(0);
  });
});

describe('defaults', () => {
  const objects = helmTemplate({ namespace: NAMESPACE });

  test('3 replicas of each app, maxUnavailable 0, one Redis', () => {
    for (const deployment of appDeployments(objects).values()) {
      expect(deployment.spec.replicas).toBe(3);
      expect(deployment.spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
    }
    expect(
      byKind(objects, 'Deployment').find((d) => d.metadata.name === 'rel-gateway-stack-redis')?.spec
        .replicas,
    ).toBe(1);
  });

  test('hard anti-affinity with replicas == nodes: a rollout without a surge pod, one pod down at a time', () => {
    const set = [
      'componentDefaults.podAntiAffinity=hard',
      'componentDefaults.maxSurge=0',
      'componentDefaults.maxUnavailable=1',
    ];
    for (const deployment of appDeployments(helmTemplate({ set })).values())
      expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 1, maxSurge: 0 });
  });

  test('the gateway gets headless upstream names; backends get a headless and a ClusterIP Service', () => {
    const env = containerEnv(objects, appDeployments(objects).get('gateway')!);
    const { upstreams } = renderedRouteFile(objects);
    expect(upstreams['webapp-1'].urls).toEqual([
      `http://rel-gateway-stack-webapp-1-headless.${NAMESPACE}.svc.cluster.local:5000`,
    ]);
    expect(upstreams['rpc-app-1'].target).toBe(
      `dns:///rel-gateway-stack-rpc-app-1-headless.${NAMESPACE}.svc.cluster.local:6000`,
    );
    expect(env.REDIS_URL).toBe(
      `redis://rel-gateway-stack-redis.${NAMESPACE}.svc.cluster.local:6379`,
    );
    const services = byKind(objects, 'Service').map(
      (s) => `${s.metadata.name}:${s.spec.clusterIP === 'None' ? 'headless' : s.spec.type}`,
    );
    expect(services.sort()).toEqual([
      'rel-gateway-stack-gateway-headless:headless',
      'rel-gateway-stack-gateway:ClusterIP',
      'rel-gateway-stack-redis:ClusterIP',
      'rel-gateway-stack-rpc-app-1-headless:headless',
      'rel-gateway-stack-rpc-app-1:ClusterIP',
      'rel-gateway-stack-webapp-1-headless:headless',
      'rel-gateway-stack-webapp-1:ClusterIP',
    ]);
  });

  test('every app env follows the contract: HOST 0.0.0.0, ports, drain settings, no tracing endpoint', () => {
    const ports: Record<string, string> = {
      gateway: '8000',
      'webapp-1': '5000',
      'rpc-app-1': '6000',
    };
    for (const [app, deployment] of appDeployments(objects)) {
      const env = containerEnv(objects, deployment);
      expect(env).toMatchObject({
        HOST: '0.0.0.0',
        PORT: ports[app],
        ADMIN_PORT: '9000',
        NODE_OPTIONS: '--max-semi-space-size=32',
        OTEL_SERVICE_NAME: app,
      });
      // Behind the 5 s preStop pause the app's own drain is short (README, "Health, shutdown").
      expect(env).toMatchObject({ SHUTDOWN_DRAIN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '20000' });
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      // logLevel null: the app's own default applies (test/k8s/app-defaults.spec.ts).
      expect(env.LOG_LEVEL).toBeUndefined();
      const spec = deployment.spec.template.spec;
      // The preStop hook is the app's drain endpoint, held for 5 s: draining starts with it.
      expect(spec.containers[0].lifecycle).toEqual({
        preStop: { httpGet: { path: '/_status/drain?wait_ms=5000', port: 'admin' } },
      });
      expect(spec.terminationGracePeriodSeconds).toBe(31);
    }
  });

  test('probes: readiness on /_status/healthcheck, liveness and startup on /_status/liveness, admin port', () => {
    for (const deployment of appDeployments(objects).values()) {
      const container = deployment.spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet).toEqual({
        path: '/_status/healthcheck',
        port: 'admin',
      });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/_status/liveness', port: 'admin' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/_status/liveness', port: 'admin' });
    }
  });

  test('optional features are off: no HPA, KEDA, Ingress, monitoring CRDs', () => {
    for (const kind of [
      'HorizontalPodAutoscaler',
      'ScaledObject',
      'Ingress',
      'ServiceMonitor',
      'PrometheusRule',
    ]) {
      expect(byKind(objects, kind)).toEqual([]);
    }
    // One per app, Redis's, and the helm test pod's (a test hook, created by `helm test` only).
    expect(byKind(objects, 'NetworkPolicy').length).toBe(5);
    expect(byKind(objects, 'PodDisruptionBudget').length).toBe(3);
  });
});

describe('options', () => {
  const gatewayOf = (objects: K8sObject[]) => appDeployments(objects).get('gateway')!;

  test('native gRPC readiness probe targets the gRPC port of rpc-app-1', () => {
    const objects = helmTemplate({ set: ['components.rpc-app-1.probes.readinessType=grpc'] });
    const container = appDeployments(objects).get('rpc-app-1')!.spec.template.spec.containers[0];
    expect(container.readinessProbe.grpc).toEqual({ port: 6000 });
    expect(container.ports).toContainEqual({ name: 'grpc', containerPort: 6000, protocol: 'TCP' });
  });

  test('preStop drain holds on the admin drain endpoint for preStopSeconds; sleep and exec still render a plain pause', () => {
    const render = (set: string[]) => {
      const spec = gatewayOf(helmTemplate({ set })).spec.template.spec;
      return [spec.containers[0].lifecycle?.preStop, spec.terminationGracePeriodSeconds];
    };
    expect(render(['components.gateway.shutdown.preStopSeconds=12'])).toEqual([
      { httpGet: { path: '/_status/drain?wait_ms=12000', port: 'admin' } },
      38,
    ]);
    expect(render(['componentDefaults.shutdown.preStop=sleep'])).toEqual([
      { sleep: { seconds: 5 } },
      31,
    ]);
    expect(render(['componentDefaults.shutdown.preStop=none'])).toEqual([undefined, 30]);
    // Every component's hook targets its own admin port (rpc-app-1's HTTP side included).
    for (const deployment of appDeployments(helmTemplate({})).values()) {
      const container = deployment.spec.template.spec.containers[0];
      expect(container.lifecycle.preStop.httpGet.port).toBe('admin');
      expect(container.ports.map((p: { name: string }) => p.name)).toContain('admin');
    }
    const unknown = helmTemplateRaw({ set: ['componentDefaults.shutdown.preStop=pause'] });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/preStop/);
  });

  test('preStop exec falls back to sleep in the image and the grace period follows', () => {
    const objects = helmTemplate({
      set: [
        'componentDefaults.shutdown.preStop=exec',
        'componentDefaults.shutdown.preStopSeconds=10',
      ],
    });
    const spec = gatewayOf(objects).spec.template.spec;
    expect(spec.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['sleep', '10'] } });
    expect(spec.terminationGracePeriodSeconds).toBe(36);
  });

  test('drain delay: 1 s behind a preStop hook, 5 s without one, an explicit value wins; the grace period follows', () => {
    const shutdown = (set: string[]) => {
      const objects = helmTemplate({ set });
      const gateway = gatewayOf(objects);
      return [
        containerEnv(objects, gateway).SHUTDOWN_DRAIN_DELAY_MS,
        gateway.spec.template.spec.terminationGracePeriodSeconds,
      ];
    };
    expect(shutdown([])).toEqual(['1000', 31]);
    expect(shutdown(['componentDefaults.shutdown.preStop=exec'])).toEqual(['1000', 31]);
    expect(shutdown(['componentDefaults.shutdown.preStop=none'])).toEqual(['5000', 30]);
    expect(shutdown(['components.gateway.shutdown.drainDelayMs=0'])).toEqual(['0', 30]);
    expect(
      shutdown([
        'components.gateway.shutdown.preStop=none',
        'components.gateway.shutdown.drainDelayMs=8000',
      ]),
    ).toEqual(['8000', 33]);
  });

  test('HPA or KEDA own the replica count; the HPA scales on CPU, optionally on request rate', () => {
    const hpa = helmTemplate({
      set: [
        'components.gateway.autoscaling.enabled=true',
        'components.gateway.autoscaling.requestRate.enabled=true',
      ],
    });
    expect(gatewayOf(hpa).spec.replicas).toBeUndefined();
    const [autoscaler] = byKind(hpa, 'HorizontalPodAutoscaler');
    expect(autoscaler.spec.minReplicas).toBe(3);
    expect(autoscaler.spec.metrics.map((m: { type: string }) => m.type)).toEqual([
      'Resource',
      'Pods',
    ]);
    // The request-rate metric follows the protocol: rpc-app-1 exports gRPC, not HTTP, request metrics.
    const all = helmTemplate({
      set: [
        'componentDefaults.autoscaling.enabled=true',
        'componentDefaults.autoscaling.requestRate.enabled=true',
      ],
    });
    expect(
      Object.fromEntries(
        byKind(all, 'HorizontalPodAutoscaler').map((h) => [
          h.metadata.labels?.['app.kubernetes.io/component'],
          h.spec.metrics[1].pods.metric.name,
        ]),
      ),
    ).toEqual({
      gateway: 'http_server_requests_per_second',
      'webapp-1': 'http_server_requests_per_second',
      'rpc-app-1': 'grpc_server_handled_per_second',
    });
    const keda = helmTemplate({ set: ['components.rpc-app-1.keda.enabled=true'] });
    const [scaledObject] = byKind(keda, 'ScaledObject');
    expect(scaledObject.spec.triggers[0].metadata.query).toBe(
      'sum(rate(grpc_server_handled_total{namespace="shop", app="rpc-app-1"}[1m]))',
    );
    // KEDA's HPA gets keda.behavior (cooldownPeriod only governs scaling to zero), none without it.
    expect(scaledObject.spec).not.toHaveProperty('advanced');
    const behavior = { scaleDown: { stabilizationWindowSeconds: 20 } };
    const [tuned] = byKind(
      helmTemplate({
        set: ['components.rpc-app-1.keda.enabled=true'],
        setJson: [`components.rpc-app-1.keda.behavior=${JSON.stringify(behavior)}`],
      }),
      'ScaledObject',
    );
    expect(tuned.spec.advanced).toEqual({ horizontalPodAutoscalerConfig: { behavior } });
  });

  test('built-in Redis requires a password: a generated Secret, read by Redis (args, probe) and the gateway', () => {
    const objects = helmTemplate({ namespace: NAMESPACE, kubeVersion: '1.30.14' });
    const secret = byKind(objects, 'Secret').find(
      (s) => s.metadata.name === 'rel-gateway-stack-redis',
    )!;
    expect(schemaSet('1.30.14').validate(secret)).toEqual([]);
    expect(secret.type).toBe('Opaque');
    const password = Buffer.from(secret.data['redis-password'], 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const ref = { secretKeyRef: { name: 'rel-gateway-stack-redis', key: 'redis-password' } };
    expect(gatewayOf(objects).spec.template.spec.containers[0].env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: ref,
    });
    const redis = byKind(objects, 'Deployment').find(
      (d) => d.metadata.name === 'rel-gateway-stack-redis',
    )!.spec.template.spec.containers[0];
    expect(redis.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: ref },
      { name: 'REDISCLI_AUTH', valueFrom: ref },
    ]);
    // The password reaches redis-server through the kubelet's $(VAR) expansion, never as a literal.
    const args: string[] = redis.args;
    expect(args[args.indexOf('--requirepass') + 1]).toBe('$(REDIS_PASSWORD)');
    expect(args[args.indexOf('--protected-mode') + 1]).toBe('yes');
    expect(JSON.stringify(objects.filter((o) => o.kind !== 'Secret'))).not.toContain(password);
    // redis-cli exits 0 on NOAUTH: the probe checks for PONG, authenticated by REDISCLI_AUTH.
    expect(redis.readinessProbe.exec.command).toEqual([
      'sh',
      '-c',
      'test "$(redis-cli -p 6379 ping)" = PONG',
    ]);
    // An existing Secret replaces the generated one, for Redis and the gateway alike.
    const existing = helmTemplate({
      set: ['redis.builtin.existingSecret=redis-pass', 'redis.builtin.passwordKey=pw'],
    });
    expect(byKind(existing, 'Secret')).toEqual([]);
    const existingRef = { secretKeyRef: { name: 'redis-pass', key: 'pw' } };
    expect(gatewayOf(existing).spec.template.spec.containers[0].env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: existingRef,
    });
    expect(
      byKind(existing, 'Deployment').find((d) => d.metadata.name === 'rel-gateway-stack-redis')!
        .spec.template.spec.containers[0].env,
    ).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: existingRef },
      { name: 'REDISCLI_AUTH', valueFrom: existingRef },
    ]);
  });

  test('external Redis: REDIS_URL from values, REDIS_PASSWORD from the existing Secret, no Redis pod', () => {
    const objects = helmTemplate({
      set: [
        'redis.mode=external',
        'redis.external.url=rediss://cache.example:6380/1',
        'redis.external.existingSecret=cache-auth',
      ],
    });
    const gateway = gatewayOf(objects);
    expect(containerEnv(objects, gateway).REDIS_URL).toBe('rediss://cache.example:6380/1');
    expect(gateway.spec.template.spec.containers[0].env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'redis-password' } },
    });
    expect(byKind(objects, 'Deployment').map((d) => d.metadata.name)).not.toContain(
      'rel-gateway-stack-redis',
    );
  });

  test('egress ports to an external Redis and the OTLP collector come from their URLs (an explicit port wins)', () => {
    /** Ports of the port-only egress rules (no `to`) of a component's NetworkPolicy. */
    const openPorts = (set: string[], app = 'gateway') =>
      byKind(helmTemplate({ set }), 'NetworkPolicy')
        .find((np) => np.metadata.name === `rel-gateway-stack-${app}`)!
        .spec.egress.filter((rule: { to?: unknown }) => !rule.to)
        .flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port));
    const external = (url: string) => ['redis.mode=external', `redis.external.url=${url}`];
    expect(openPorts(external('rediss://cache.example:6380/1'))).toEqual([6380]);
    expect(openPorts(external('redis://cache.example'))).toEqual([6379]);
    expect(
      openPorts([...external('redis://cache.example:6380'), 'redis.external.port=6379']),
    ).toEqual([6379]);
    const tracing = (endpoint: string) => ['tracing.enabled=true', `tracing.endpoint=${endpoint}`];
    expect(openPorts(tracing('http://collector.monitoring:4317'), 'webapp-1')).toEqual([4317]);
    expect(openPorts(tracing('https://otlp.example.com'), 'webapp-1')).toEqual([443]);
    expect(openPorts(tracing('http://collector.monitoring'), 'webapp-1')).toEqual([80]);
    expect(
      openPorts(
        [...tracing('http://collector.monitoring:4318'), 'tracing.port=14318'],
        'rpc-app-1',
      ),
    ).toEqual([14318]);
    const production = helmTemplate({
      valuesFiles: [join(EXAMPLES_DIR, 'values-production.yaml')],
    });
    const gatewayPolicy = byKind(production, 'NetworkPolicy').find(
      (np) => np.metadata.name === 'rel-gateway-stack-gateway',
    )!;
    expect(
      gatewayPolicy.spec.egress
        .filter((rule: { to?: unknown }) => !rule.to)
        .flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port)),
    ).toEqual([6380, 4318]);
  });

  test('tracing: standard OTEL_* env on every app, resource attributes with the pod name', () => {
    const objects = helmTemplate({
      set: [
        'tracing.enabled=true',
        'tracing.endpoint=http://collector:4317',
        'tracing.protocol=grpc',
        'tracing.samplerArg=0.25',
      ],
    });
    for (const [app, deployment] of appDeployments(objects)) {
      expect(containerEnv(objects, deployment)).toMatchObject({
        OTEL_SERVICE_NAME: app,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      });
      const attrs = deployment.spec.template.spec.containers[0].env.find(
        (e: { name: string }) => e.name === 'OTEL_RESOURCE_ATTRIBUTES',
      );
      expect(attrs.value).toContain('k8s.pod.name=$(K8S_POD_NAME)');
    }
  });

  test('a config change rolls the pods (checksum annotation), the same values do not', () => {
    const checksum = (set: string[]) =>
      gatewayOf(helmTemplate({ set })).spec.template.metadata.annotations['checksum/env'];
    expect(checksum([])).toBe(checksum([]));
    expect(checksum(['components.gateway.env.RATE_LIMIT_LIMIT=7'])).not.toBe(checksum([]));
    expect(checksum(['components.gateway.logLevel=debug'])).not.toBe(checksum([]));
  });

  test('env: free-form values override computed ones; numbers are written without exponent', () => {
    const objects = helmTemplate({
      set: [
        'components.gateway.env.WEBAPP_URL=http://legacy:5000',
        'components.gateway.env.RATE_LIMIT_WINDOW_MS=1000000',
      ],
    });
    expect(containerEnv(objects, gatewayOf(objects))).toMatchObject({
      RATE_LIMIT_WINDOW_MS: '1000000',
    });
    // The gateway's upstream addresses live in its route file: the override goes there.
    expect(containerEnv(objects, gatewayOf(objects)).WEBAPP_URL).toBeUndefined();
    expect(renderedRouteFile(objects).upstreams['webapp-1'].urls).toEqual(['http://legacy:5000']);
  });

  test('behind an Ingress the gateway trusts one X-Forwarded-For hop (overridable); not otherwise', () => {
    const hops = (options: Parameters<typeof helmTemplate>[0]) => {
      const objects = helmTemplate(options);
      return containerEnv(objects, gatewayOf(objects)).RATE_LIMIT_TRUSTED_PROXY_HOPS;
    };
    expect(hops({})).toBeUndefined();
    expect(hops({ set: ['components.gateway.service.type=LoadBalancer'] })).toBeUndefined();
    expect(hops({ set: ['ingress.enabled=true'] })).toBe('1');
    expect(
      hops({
        set: ['ingress.enabled=true', 'components.gateway.env.RATE_LIMIT_TRUSTED_PROXY_HOPS=2'],
      }),
    ).toBe('2');
    expect(
      hops({
        set: ['ingress.enabled=true', 'components.gateway.env.RATE_LIMIT_TRUSTED_PROXY_HOPS=0'],
      }),
    ).toBe('0');
    const production = join(EXAMPLES_DIR, 'values-production.yaml');
    expect(hops({ valuesFiles: [production] })).toBe('1');
    // ... and only the Ingress controller (and the helm test pod) may reach the gateway directly.
    const policy = byKind(helmTemplate({ valuesFiles: [production] }), 'NetworkPolicy').find(
      (np) => np.metadata.name === 'rel-gateway-stack-gateway',
    )!;
    expect(policy.spec.ingress[0].from[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
    });
  });

  test('upstreams overridden through env: the gateway NetworkPolicy opens egress to their ports', () => {
    const portOnlyEgress = (env: Record<string, string>) => {
      const objects = helmTemplate({
        setJson: [`components.gateway.env=${JSON.stringify(env)}`],
        kubeVersion: '1.30.14',
      });
      const policy = byKind(objects, 'NetworkPolicy').find(
        (np) => np.metadata.name === 'rel-gateway-stack-gateway',
      )!;
      expect(schemaSet('1.30.14').validate(policy)).toEqual([]);
      return policy.spec.egress
        .filter((rule: { to?: unknown }) => !rule.to)
        .flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port))
        .sort((a: number, b: number) => a - b);
    };
    expect(portOnlyEgress({})).toEqual([]);
    expect(
      portOnlyEgress({
        WEBAPP_URL: 'http://legacy.example:5000,http://projects.example',
        RPC_TARGET: 'dns:///verify.legacy.svc.cluster.local:7000',
      }),
    ).toEqual([80, 5000, 7000]);
    expect(portOnlyEgress({ RPC_TARGET: 'ipv4:a:6001,b:6002' })).toEqual([6001, 6002]);
    expect(portOnlyEgress({ RPC_TARGET: 'verify.example' })).toEqual([443]);
  });

  test('the helm test pod calls the gateway Service with the smoke test shipped in files/', () => {
    const objects = helmTemplate({ namespace: NAMESPACE });
    const pod = byKind(objects, 'Pod')[0];
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].command).toEqual(['node', '/smoke/smoke-test.mjs']);
    expect(pod.spec.containers[0].env).toEqual([
      {
        name: 'GATEWAY_URL',
        value: `http://rel-gateway-stack-gateway.${NAMESPACE}.svc.cluster.local:8000`,
      },
    ]);
    const script = byKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === 'rel-gateway-stack-smoke-test',
    )!.data['smoke-test.mjs'];
    expect(script).toContain("path: '/projects/'");
    expect(script).toContain("path: '/verify/'");
  });

  test('NOTES.txt tells how to reach the gateway for each Service type and the Ingress', () => {
    const notes = helmNotes;
    expect(notes([])).toContain(
      'kubectl port-forward svc/rel-gateway-stack-gateway -n shop 8000:8000',
    );
    expect(notes(['components.gateway.service.type=NodePort'])).toContain(
      "kubectl get svc rel-gateway-stack-gateway -n shop -o jsonpath='{.spec.ports[0].nodePort}'",
    );
    expect(notes(['components.gateway.service.type=LoadBalancer'])).toContain(
      '.status.loadBalancer.ingress[0]',
    );
    expect(notes(['ingress.enabled=true'])).toContain('http://gateway.example.com/');
    expect(notes([])).toContain('port-forward deploy/rel-gateway-stack-gateway -n shop 9000 ;');
    expect(notes(['components.gateway.adminPort=9100'])).toContain(
      'port-forward deploy/rel-gateway-stack-gateway -n shop 9100 ; curl 127.0.0.1:9100/_status/healthcheck',
    );
  });
});

describe('helm package', () => {
  test('ships templates, dashboard and smoke test, but not the examples (.helmignore)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-package-'));
    try {
      const packaged = run(tool('helm'), ['package', CHART, '-d', dir]);
      expect(packaged.status).toBe(0);
      const files = run('tar', ['tzf', join(dir, readdirSync(dir)[0])]).stdout.split('\n');
      expect(files).toEqual(
        expect.arrayContaining([
          'gateway-stack/templates/component.yaml',
          'gateway-stack/dashboards/gateway-stack.json',
          'gateway-stack/files/smoke-test.mjs',
        ]),
      );
      expect(files.filter((f) => f.includes('/examples/'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('image tags', () => {
  // skaffold passes each image's tag with --set; its git-commit tagger gives digits only when the
  // short hash has no letter, and helm then reads a number.
  test('a tag of digits only from --set is accepted and used as written', () => {
    const objects = helmTemplate({
      set: ['image.tag=1234567', 'components.webapp-1.image.tag=7589865'],
    });
    const images = Object.fromEntries(
      [...appDeployments(objects)].map(([component, d]) => [
        component,
        d.spec.template.spec.containers[0].image as string,
      ]),
    );
    expect(images).toEqual({
      gateway: 'gateway-stack/gateway:1234567',
      'webapp-1': 'gateway-stack/webapp-1:7589865',
      'rpc-app-1': 'gateway-stack/rpc-app-1:1234567',
    });
  });
});

describe('values.schema.json and validation reject bad values with a readable message', () => {
  const rejected = (set: string[]) => {
    const result = helmTemplateRaw({ set });
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  const rejectedJson = (setJson: string[], set: string[] = []) => {
    const result = helmTemplateRaw({ set, setJson });
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  test('wrong type', () => {
    expect(rejected(['components.gateway.replicas=three'])).toContain(
      "at '/components/gateway/replicas': got string, want integer",
    );
  });
  test('unknown key', () => {
    expect(rejected(['components.gateway.replica=3'])).toContain(
      "at '/components/gateway': additional properties 'replica' not allowed",
    );
    expect(rejected(['ingres.enabled=true'])).toContain(
      "additional properties 'ingres' not allowed",
    );
  });
  test('negative replicas', () => {
    expect(rejected(['componentDefaults.replicas=-1'])).toContain(
      "at '/componentDefaults/replicas': minimum: got -1, want 0",
    );
  });
  test('a `latest` tag, an enum typo, a chart-owned env var', () => {
    expect(rejected(['image.tag=latest'])).toContain("at '/image/tag'");
    expect(rejected(['components.gateway.service.type=NodPort'])).toContain(
      "at '/components/gateway/service/type'",
    );
    expect(rejected(['components.gateway.env.PORT=1'])).toContain("invalid propertyName 'PORT'");
  });
  test('chart-owned env names: refused in env (schema) and in extraEnv (validation), one list for both', () => {
    const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
    const forbidden: string[] = schema.$defs.component.properties.env.propertyNames.not.enum;
    const tpl = readFileSync(join(CHART, 'templates/_env.tpl'), 'utf8');
    const owned = /define "gs.chartOwnedEnv" -}}\n([\s\S]*?)\n{{- end -}}/.exec(tpl)![1];
    expect(Object.keys(parse(owned)).sort()).toEqual([...forbidden].sort());
    for (const name of ['SHUTDOWN_DRAIN_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS', 'LOG_LEVEL'])
      expect(rejected([`components.webapp-1.env.${name}=1`])).toContain(
        `invalid propertyName '${name}'`,
      );
    const viaExtraEnv = (name: string, app = 'webapp-1') =>
      rejectedJson([
        `components.${app}.extraEnv=[{"name":"A","value":"1"},{"name":"${name}","value":"1"}]`,
      ]);
    for (const name of forbidden)
      expect(viaExtraEnv(name)).toContain(
        `components.webapp-1.extraEnv[1] sets ${name}, which the chart owns`,
      );
    expect(viaExtraEnv('SHUTDOWN_DRAIN_DELAY_MS')).toContain(
      'set components.webapp-1.shutdown.drainDelayMs instead',
    );
    // REDIS_PASSWORD only where the chart sets it itself (the gateway, from a Secret).
    const external = ['redis.mode=external', 'redis.external.url=redis://cache:6379'];
    const password = 'components.gateway.extraEnv=[{"name":"REDIS_PASSWORD","value":"x"}]';
    expect(
      rejectedJson([password], [...external, 'redis.external.existingSecret=cache-auth']),
    ).toContain(
      'components.gateway.extraEnv[0] sets REDIS_PASSWORD, which the chart sets from the Secret cache-auth',
    );
    expect(rejectedJson([password])).toContain(
      'sets REDIS_PASSWORD, which the chart sets from the Secret rel-gateway-stack-redis: use redis.builtin.existingSecret',
    );
    expect(helmTemplateRaw({ set: external, setJson: [password] }).status).toBe(0);
    // Never a plain value in the ConfigMap.
    expect(rejected(['components.gateway.env.REDIS_PASSWORD=hunter2'])).toContain(
      'components.gateway.env.REDIS_PASSWORD: a password does not belong in a ConfigMap',
    );
  });
  test('cross-field rules: HPA and KEDA together, a grace period shorter than the drain, gRPC probe on HTTP', () => {
    expect(
      rejected([
        'components.gateway.autoscaling.enabled=true',
        'components.gateway.keda.enabled=true',
      ]),
    ).toContain('components.gateway: autoscaling.enabled and keda.enabled are mutually exclusive');
    expect(rejected(['components.webapp-1.shutdown.terminationGracePeriodSeconds=10'])).toContain(
      'components.webapp-1.shutdown.terminationGracePeriodSeconds=10 is shorter than preStop + drain delay + shutdown timeout + 5 s = 31 s',
    );
    expect(
      rejected([
        'componentDefaults.autoscaling.enabled=true',
        'componentDefaults.autoscaling.requestRate.enabled=true',
        'componentDefaults.autoscaling.requestRate.metricName=http_server_requests_per_second',
      ]),
    ).toContain(
      'components.rpc-app-1.autoscaling.requestRate.metricName=http_server_requests_per_second: rpc-app-1 speaks grpc and exports no http_* request metrics',
    );
    expect(rejected(['components.webapp-1.maxSurge=0'])).toContain(
      'components.webapp-1: maxSurge=0 and maxUnavailable=0; a rollout needs one of them above 0',
    );
    expect(rejected(['components.gateway.probes.readinessType=grpc'])).toContain(
      'components.gateway.probes.readinessType=grpc needs a gRPC component',
    );
    expect(rejected(['redis.mode=external'])).toContain(
      'redis.mode=external needs redis.external.url',
    );
    expect(
      rejected([
        'tracing.enabled=true',
        'tracing.endpoint=http://collector.monitoring',
        'tracing.protocol=grpc',
      ]),
    ).toContain("tracing.endpoint=http://collector.monitoring: give the collector's port");
  });
});

describe('the checks catch broken renders (each one can fail)', () => {
  const pristine = helmTemplate({ namespace: NAMESPACE, kubeVersion: '1.30.14' });
  /* eslint-disable @typescript-eslint/no-explicit-any -- mutating free-form rendered objects */
  const broken = (mutate: (objects: any[]) => void) => {
    const objects = structuredClone(pristine) as any[];
    mutate(objects);
    return objects as K8sObject[];
  };
  const find = (objects: any[], kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const gateway = (objects: any[]) => find(objects, 'Deployment', 'rel-gateway-stack-gateway');

  test('a misspelt field, a wrong type and a duplicate port fail the Kubernetes schema', () => {
    const schemas = schemaSet('1.30.14');
    const objects = broken((o) => {
      const container = gateway(o).spec.template.spec.containers[0];
      container.readinesProbe = container.readinessProbe;
      container.ports.push({ name: 'again', containerPort: 8000, protocol: 'TCP' });
      gateway(o).spec.replicas = '3';
    });
    expect(schemas.validate(gateway(objects))).toEqual([
      '/spec/replicas must be integer',
      "/spec/template/spec/containers/0 must NOT have additional properties 'readinesProbe'",
      '/spec/template/spec/containers/0/ports must pass "x-kubernetes-list-map-keys" keyword validation (duplicate entries)',
    ]);
    expect(
      schemas.validate({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }),
    ).toEqual(['no schema for apps/v1/Deploymnet in Kubernetes 1.30.14 or the known CRDs']);
  });

  test('each invariant reports its violation', () => {
    const objects = broken((o) => {
      find(o, 'Service', 'rel-gateway-stack-webapp-1').spec.selector[
        'app.kubernetes.io/component'
      ] = 'webapp';
      const routes = find(o, 'ConfigMap', 'rel-gateway-stack-gateway-routes').data;
      routes['routes.yaml'] = routes['routes.yaml'].replace(
        /target: .*/,
        'target: ipv4:10.0.0.7:6000',
      );
      const spec = gateway(o).spec.template.spec;
      spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      spec.containers[0].livenessProbe.httpGet.port = 'metrics';
      spec.containers[0].image = 'gateway-stack/gateway:latest';
      spec.terminationGracePeriodSeconds = 26;
      find(
        o,
        'NetworkPolicy',
        'rel-gateway-stack-redis',
      ).spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component'] =
        'rpc-app-1';
      find(o, 'Deployment', 'rel-gateway-stack-redis').spec.template.spec.imagePullSecrets = [
        { name: 'regcred' },
      ];
      find(o, 'Secret', 'rel-gateway-stack-redis').data = { password: 'eA==' };
      find(o, 'PodDisruptionBudget', 'rel-gateway-stack-rpc-app-1').spec.selector.matchLabels = {
        'app.kubernetes.io/name': 'gateway-stack',
      };
      const webapp = find(o, 'Deployment', 'rel-gateway-stack-webapp-1').spec.template.spec;
      webapp.volumes[0].emptyDir.sizeLimit = '1Gi';
      delete find(o, 'Pod', 'rel-gateway-stack-smoke-test').spec.containers[0].resources.limits[
        'ephemeral-storage'
      ];
    });
    expect(servicesMatchWorkloads(objects)).toEqual([
      'Service/rel-gateway-stack-webapp-1 selects 0 Deployments (want exactly 1)',
    ]);
    expect(noIpLiterals(objects)).toEqual([
      'ConfigMap/rel-gateway-stack-gateway-routes contains the IP literal 10.0.0.7',
    ]);
    expect(
      gatewayUpstreamsNameServices(objects, {
        namespace: NAMESPACE,
        clusterDomain: 'cluster.local',
        redis: 'builtin',
      }),
    ).toEqual(['rpc-app-1 target ipv4:10.0.0.7:6000 is not dns:///<host>:<port>']);
    expect(securityEverywhere(objects, { readOnlyRootFilesystem: true })).toEqual([
      'Deployment/rel-gateway-stack-gateway container gateway: privilege escalation allowed',
    ]);
    expect(probesNameDeclaredPorts(objects)).toEqual([
      'Deployment/rel-gateway-stack-gateway gateway.livenessProbe uses port metrics, not declared by the container',
    ]);
    expect(imagesPinned(objects)).toEqual([
      'rel-gateway-stack-gateway/gateway: image gateway-stack/gateway:latest is not pinned',
    ]);
    expect(gracePeriodCoversDrain(objects)).toEqual([
      'gateway: terminationGracePeriodSeconds 26 <= preStop 5 s + drain + timeout = 26 s',
    ]);
    expect(networkPoliciesSelect(objects)).toEqual([
      'NetworkPolicy/rel-gateway-stack-redis: ingress peer {"app.kubernetes.io/name":"gateway-stack","app.kubernetes.io/instance":"rel","app.kubernetes.io/component":"rpc-app-1"} does not select exactly the gateway',
    ]);
    expect(secretRefsResolve(objects, [])).toEqual([
      'Deployment/rel-gateway-stack-gateway reads key redis-password of Secret rel-gateway-stack-redis, which it does not have',
      'Deployment/rel-gateway-stack-redis reads key redis-password of Secret rel-gateway-stack-redis, which it does not have',
      'Deployment/rel-gateway-stack-redis reads key redis-password of Secret rel-gateway-stack-redis, which it does not have',
    ]);
    expect(pullSecretsEverywhere(objects, [])).toEqual([
      'Deployment/rel-gateway-stack-redis: imagePullSecrets ["regcred"], want []',
    ]);
    expect(scalersTargetWorkloads(objects)).toEqual([
      'PodDisruptionBudget/rel-gateway-stack-rpc-app-1 selects 4 Deployments (want 1)',
    ]);
    expect(ephemeralStorageCovered(objects)).toEqual([
      'Deployment/rel-gateway-stack-webapp-1: ephemeral-storage limits 256Mi < emptyDir sizeLimits + logs 1074Mi',
      'Pod/rel-gateway-stack-smoke-test container smoke-test: no ephemeral-storage request and limit',
    ]);
  });
});
