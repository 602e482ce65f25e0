import { RoutePolicies } from './route-policies';

describe('RoutePolicies', () => {
  const make = () => {
    const policies = new RoutePolicies({ limit: 100, windowMs: 1000 });
    policies.replace(new Map([['verify', { name: '/verify', limit: 5, windowMs: 60_000 }]]));
    return policies;
  };

  it("gives a route with its own budget that policy, by the route's name", () => {
    expect(make().of('verify')).toEqual({ name: '/verify', limit: 5, windowMs: 60_000 });
  });

  it('puts every other route under the one default policy', () => {
    const policies = make();
    expect(policies.of('other')).toBe(policies.of(undefined));
    expect(policies.of('other')).toEqual({ name: 'default', limit: 100, windowMs: 1000 });
  });

  it('replaces the policies as a whole with a new table, and says so by its generation', () => {
    const policies = make();
    const before = policies.generation;
    policies.replace(new Map([['projects', { name: '/projects', limit: 1, windowMs: 1000 }]]));
    expect(policies.generation).toBe(before + 1);
    expect(policies.of('verify')).toBe(policies.fallback);
    expect(policies.of('projects')).toMatchObject({ limit: 1 });
  });
});
