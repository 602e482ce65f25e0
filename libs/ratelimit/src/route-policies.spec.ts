import { RoutePolicies } from './route-policies';

describe('RoutePolicies', () => {
  const policies = new RoutePolicies({ limit: 100, windowMs: 1000 }, [
    { route: '/verify', limit: 5, windowMs: 60_000 },
    { route: '/projects', limit: 20 },
  ]);

  it('gives a listed route its own policy and budget', () => {
    expect(policies.of('/verify')).toEqual({
      name: '/verify',
      limit: 5,
      windowMs: 60_000,
    });
  });

  it('uses the global window when a route names only its limit', () => {
    expect(policies.of('/projects')).toMatchObject({ limit: 20, windowMs: 1000 });
  });

  it('puts every other route under the one default policy', () => {
    expect(policies.of('/other')).toBe(policies.of(undefined));
    expect(policies.of('/other')).toEqual({
      name: 'default',
      limit: 100,
      windowMs: 1000,
    });
  });

  it('lists the routes with a policy of their own', () => {
    expect(policies.routes).toEqual(['/verify', '/projects']);
  });
});
