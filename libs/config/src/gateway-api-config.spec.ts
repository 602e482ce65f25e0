import { gatewayEnv } from '@app/config';

/** The gateway's schema on these variables alone: the problems it names, one per variable. */
function problems(env: Record<string, string>): Record<string, string> {
  const result = gatewayEnv.safeParse(env);
  if (result.success) return {};
  return Object.fromEntries(
    result.error.issues.map((issue) => [issue.path.join('.'), issue.message]),
  );
}

/** The gateway pods' Service, which GATEWAY_API_INTERNAL_PORTS needs. */
const SERVICE = 'gs-system/gs-gateway';

describe('GATEWAY_API_CONTROLLER_NAME', () => {
  const NAME = 'gateway-stack.local/gateway-controller';

  it('is accepted alone, with its debounce default', () => {
    const result = gatewayEnv.safeParse({ GATEWAY_API_CONTROLLER_NAME: NAME });
    expect(result.success && result.data.GATEWAY_API_DEBOUNCE_MS).toBe(100);
  });

  it('must be a domain-prefixed path, as GatewayClass spec.controllerName', () => {
    expect(problems({ GATEWAY_API_CONTROLLER_NAME: 'gateway-controller' })).toEqual({
      GATEWAY_API_CONTROLLER_NAME: expect.stringContaining('domain-prefixed path'),
    });
  });

  it('is refused beside ROUTES_FILE: one source of routes', () => {
    expect(
      problems({ GATEWAY_API_CONTROLLER_NAME: NAME, ROUTES_FILE: '/etc/routes.yaml' }),
    ).toEqual({
      GATEWAY_API_CONTROLLER_NAME: expect.stringContaining('not used with ROUTES_FILE'),
    });
  });

  it("refuses the seed routes' variables beside it, naming each", () => {
    expect(
      problems({
        GATEWAY_API_CONTROLLER_NAME: NAME,
        WEBAPP_URL: 'http://webapp:5000',
        AUTH_ROUTES: '/projects=none',
      }),
    ).toEqual({
      WEBAPP_URL: expect.stringContaining('not used with GATEWAY_API_CONTROLLER_NAME'),
      AUTH_ROUTES: expect.stringContaining('not used with GATEWAY_API_CONTROLLER_NAME'),
    });
  });
});

describe('GATEWAY_API_SERVICE and GATEWAY_API_STATUS_LEASE', () => {
  const NAME = 'gateway-stack.local/gateway-controller';

  it('take namespace/name beside the controller name', () => {
    const result = gatewayEnv.safeParse({
      GATEWAY_API_CONTROLLER_NAME: NAME,
      GATEWAY_API_SERVICE: 'gs/release-gateway',
      GATEWAY_API_STATUS_LEASE: 'gs/release-gateway.status',
    });
    expect(result.success && result.data.GATEWAY_API_STATUS_LEASE).toBe(
      'gs/release-gateway.status',
    );
  });

  it('refuse what is not namespace/name, naming the variable', () => {
    expect(
      problems({ GATEWAY_API_CONTROLLER_NAME: NAME, GATEWAY_API_SERVICE: 'release-gateway' }),
    ).toEqual({ GATEWAY_API_SERVICE: expect.stringContaining('namespace/name') });
  });

  it('are refused without the controller name: nothing would read them', () => {
    expect(problems({ GATEWAY_API_STATUS_LEASE: 'gs/lease' })).toEqual({
      GATEWAY_API_STATUS_LEASE: expect.stringContaining(
        'only used with GATEWAY_API_CONTROLLER_NAME',
      ),
    });
  });
});

describe('GATEWAY_API_HTTPS_PORT', () => {
  const NAME = 'gateway-stack.local/gateway-controller';

  it('is a port beside the controller name', () => {
    const result = gatewayEnv.safeParse({
      GATEWAY_API_CONTROLLER_NAME: NAME,
      GATEWAY_API_HTTPS_PORT: '8443',
    });
    expect(result.success && result.data.GATEWAY_API_HTTPS_PORT).toBe(8443);
  });

  it('is refused on the main or admin port, and without the controller name', () => {
    expect(problems({ GATEWAY_API_CONTROLLER_NAME: NAME, GATEWAY_API_HTTPS_PORT: '8000' })).toEqual(
      {
        GATEWAY_API_HTTPS_PORT: expect.stringContaining('must differ from PORT'),
      },
    );
    expect(problems({ GATEWAY_API_CONTROLLER_NAME: NAME, GATEWAY_API_HTTPS_PORT: '9000' })).toEqual(
      { GATEWAY_API_HTTPS_PORT: expect.stringContaining('must differ from ADMIN_PORT') },
    );
    expect(problems({ GATEWAY_API_HTTPS_PORT: '8443' })).toEqual({
      GATEWAY_API_HTTPS_PORT: expect.stringContaining('only used with GATEWAY_API_CONTROLLER_NAME'),
    });
  });
});

describe('GATEWAY_API_INTERNAL_PORTS', () => {
  const NAME = 'gateway-stack.local/gateway-controller';

  it('is an inclusive port range beside the controller name', () => {
    const result = gatewayEnv.safeParse({
      GATEWAY_API_CONTROLLER_NAME: NAME,
      GATEWAY_API_SERVICE: SERVICE,
      GATEWAY_API_HTTPS_PORT: '8443',
      GATEWAY_API_INTERNAL_PORTS: '20000-29999',
    });
    expect(result.success && result.data.GATEWAY_API_INTERNAL_PORTS).toEqual({
      from: 20000,
      to: 29999,
    });
    const one = gatewayEnv.safeParse({
      GATEWAY_API_CONTROLLER_NAME: NAME,
      GATEWAY_API_SERVICE: SERVICE,
      GATEWAY_API_INTERNAL_PORTS: '20000-20000',
    });
    expect(one.success && one.data.GATEWAY_API_INTERNAL_PORTS).toEqual({ from: 20000, to: 20000 });
  });

  it('refuses what is not from-to with from <= to in 1-65535', () => {
    for (const value of ['20000', '20000-', '2-1', '0-10', '1-65536', '20000 - 20010', 'a-b'])
      expect(
        problems({
          GATEWAY_API_CONTROLLER_NAME: NAME,
          GATEWAY_API_SERVICE: SERVICE,
          GATEWAY_API_INTERNAL_PORTS: value,
        }),
      ).toEqual({ GATEWAY_API_INTERNAL_PORTS: expect.stringMatching(/port range|from <= to/) });
  });

  it('must not hold PORT, ADMIN_PORT nor GATEWAY_API_HTTPS_PORT, naming each', () => {
    expect(
      problems({
        GATEWAY_API_CONTROLLER_NAME: NAME,
        GATEWAY_API_SERVICE: SERVICE,
        GATEWAY_API_HTTPS_PORT: '8443',
        GATEWAY_API_INTERNAL_PORTS: '8000-9000',
      }),
    ).toEqual({ GATEWAY_API_INTERNAL_PORTS: expect.stringContaining('must not hold') });
    const result = gatewayEnv.safeParse({
      GATEWAY_API_CONTROLLER_NAME: NAME,
      GATEWAY_API_SERVICE: SERVICE,
      GATEWAY_API_HTTPS_PORT: '8443',
      GATEWAY_API_INTERNAL_PORTS: '8000-9000',
    });
    const messages = result.success ? [] : result.error.issues.map((issue) => issue.message);
    expect(messages).toEqual([
      expect.stringContaining('PORT (8000)'),
      expect.stringContaining('ADMIN_PORT (9000)'),
      expect.stringContaining('GATEWAY_API_HTTPS_PORT (8443)'),
    ]);
  });

  it('is refused without the controller name', () => {
    expect(problems({ GATEWAY_API_INTERNAL_PORTS: '20000-29999' })).toEqual({
      GATEWAY_API_INTERNAL_PORTS: expect.stringContaining(
        'only used with GATEWAY_API_CONTROLLER_NAME',
      ),
    });
  });

  it("is refused without GATEWAY_API_SERVICE, beside which the Gateways' Services are made", () => {
    expect(
      problems({ GATEWAY_API_CONTROLLER_NAME: NAME, GATEWAY_API_INTERNAL_PORTS: '20000-29999' }),
    ).toEqual({ GATEWAY_API_INTERNAL_PORTS: expect.stringContaining('needs GATEWAY_API_SERVICE') });
  });
});
