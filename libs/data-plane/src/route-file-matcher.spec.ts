import type { PathMatch, Route } from '@app/routes';
import { RouteMatcher } from './route-matcher';

function route(name: string, methods: string[], path: PathMatch, hosts: string[] = []): Route {
  return {
    name,
    match: { methods: methods as Route['match']['methods'], path, hosts, headers: [], query: [] },
    order: 0,
  } as unknown as Route;
}

const exact = (path: string): PathMatch => ({ kind: 'exact', path, trailingSlash: 'ignore' });
const prefix = (path: string): PathMatch => ({ kind: 'prefix', path });
const template = (path: string): PathMatch => ({
  kind: 'template',
  path,
  variables: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
});

const routes = [
  route('projects', ['POST'], exact('/projects')),
  route('order', ['GET', 'DELETE'], template('/orders/{id}')),
  route('order-items', ['GET'], template('/orders/{id}/items/{item}')),
  route('api', ['GET', 'POST'], prefix('/api')),
  route('api-v2', ['GET'], prefix('/api/v2')),
  route('api-exact', ['GET'], exact('/api/status')),
  route('shop', ['GET'], prefix('/'), ['shop.example.com']),
  route('tenants', ['GET'], prefix('/'), ['*.tenants.example.com']),
  route('colon', ['GET'], exact('/v1/things:batch')),
];
const matcher = new RouteMatcher(routes.map((r) => ({ route: r, target: r.name })));
const nameOf = (method: string, path: string, host?: string) => {
  const found = matcher.find(method, path, host);
  return 'target' in found ? found.target : found;
};

describe('RouteMatcher with route-file paths and hosts', () => {
  it('finds exact, template and prefix routes, one trailing slash ignored', () => {
    expect(nameOf('POST', '/projects')).toBe('projects');
    expect(nameOf('POST', '/projects/')).toBe('projects');
    expect(nameOf('GET', '/orders/42')).toBe('order');
    expect(nameOf('GET', '/orders/42/items/7')).toBe('order-items');
    expect(nameOf('GET', '/api')).toBe('api');
    expect(nameOf('GET', '/api/anything/below')).toBe('api');
    expect(nameOf('GET', '/v1/things:batch')).toBe('colon');
  });

  it('gives the template variables', () => {
    const found = matcher.find('GET', '/orders/42/items/7', undefined);
    expect(found).toMatchObject({ params: { id: '42', item: '7' } });
  });

  it('prefers exact over prefix and the longer prefix, by whole segments', () => {
    expect(nameOf('GET', '/api/status')).toBe('api-exact');
    expect(nameOf('GET', '/api/v2/x')).toBe('api-v2');
    expect(nameOf('GET', '/api/v2')).toBe('api-v2');
    expect(nameOf('GET', '/apix')).toEqual({ allowed: [] });
  });

  it('answers HEAD with a GET route', () => {
    expect(nameOf('HEAD', '/orders/1')).toBe('order');
  });

  it('names the methods a known path takes (405), none for an unknown path (404)', () => {
    expect(nameOf('GET', '/projects')).toEqual({ allowed: ['POST'] });
    expect(nameOf('PUT', '/orders/1')).toEqual({ allowed: ['DELETE', 'GET'] });
    expect(nameOf('GET', '/nowhere')).toEqual({ allowed: [] });
  });

  it('takes a named host before any host, wildcards for one label or more, ports ignored', () => {
    expect(nameOf('GET', '/projects', 'shop.example.com')).toBe('shop');
    expect(nameOf('GET', '/api/x', 'SHOP.example.com:8443')).toBe('shop');
    expect(nameOf('POST', '/projects', 'shop.example.com')).toBe('projects');
    expect(nameOf('GET', '/x', 'a.tenants.example.com')).toBe('tenants');
    expect(nameOf('GET', '/x', 'a.b.tenants.example.com')).toBe('tenants');
    expect(nameOf('GET', '/x', 'tenants.example.com')).toEqual({ allowed: [] });
    expect(nameOf('GET', '/api/x', 'other.example.com')).toBe('api');
  });
});
