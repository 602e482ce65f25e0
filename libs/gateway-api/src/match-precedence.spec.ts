import type { ServedMatch } from './gateway-api-model';
import { compareMatchPrecedence } from './match-precedence';

function m(
  label: string,
  fields: Partial<Omit<ServedMatch, 'source'>> & {
    created?: string;
    namespace?: string;
    route?: string;
    rule?: number;
    match?: number;
  } = {},
): ServedMatch {
  return {
    source: {
      namespace: fields.namespace ?? 'ns',
      route: fields.route ?? 'r',
      creationTimestamp: fields.created ?? '2026-01-01T00:00:00Z',
      rule: fields.rule ?? 0,
      match: fields.match ?? 0,
      ruleName: label,
    },
    path: fields.path ?? { kind: 'prefix', value: '/' },
    method: fields.method ?? null,
    headers: fields.headers ?? [],
    timeouts: { requestMs: null, backendRequestMs: null },
    queryParams: fields.queryParams ?? [],
    filters: { requestHeaders: null, responseHeaders: null, redirect: null, rewrite: null },
    backends: [],
  };
}

const order = (matches: ServedMatch[]) =>
  [...matches].sort(compareMatchPrecedence).map((x) => x.source.ruleName);
const h = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i}`, value: 'v' }));

describe('compareMatchPrecedence (HTTPRouteRule matches, apis/v1/httproute_types.go)', () => {
  it('puts an Exact path before any prefix, even a longer one', () => {
    expect(
      order([
        m('prefix-long', { path: { kind: 'prefix', value: '/foo/bar/baz' } }),
        m('exact', { path: { kind: 'exact', value: '/foo' } }),
      ]),
    ).toEqual(['exact', 'prefix-long']);
  });

  it('puts the prefix with more characters first', () => {
    expect(
      order([
        m('root', { path: { kind: 'prefix', value: '/' } }),
        m('foo-bar', { path: { kind: 'prefix', value: '/foo/bar' } }),
        m('foo', { path: { kind: 'prefix', value: '/foo' } }),
      ]),
    ).toEqual(['foo-bar', 'foo', 'root']);
  });

  it('then a method match, then more headers, then more query params - in that order', () => {
    expect(
      order([
        m('three-queries', { queryParams: h(3) }),
        m('two-headers', { headers: h(2) }),
        m('method', { method: 'GET' }),
        m('method-one-header', { method: 'GET', headers: h(1) }),
        m('one-header-one-query', { headers: h(1), queryParams: h(1) }),
        m('one-header', { headers: h(1) }),
        m('bare'),
      ]),
    ).toEqual([
      'method-one-header',
      'method',
      'two-headers',
      'one-header-one-query',
      'one-header',
      'three-queries',
      'bare',
    ]);
  });

  it('breaks ties across routes by the oldest creationTimestamp, then namespace/name', () => {
    expect(
      order([
        m('newer', { route: 'a', created: '2026-03-01T00:00:00Z' }),
        m('older', { route: 'z', created: '2026-02-01T00:00:00Z' }),
        m('older-b', { namespace: 'b', route: 'a', created: '2026-02-01T00:00:00Z' }),
        m('older-a', { namespace: 'a', route: 'z', created: '2026-02-01T00:00:00Z' }),
      ]),
    ).toEqual(['older-a', 'older-b', 'older', 'newer']);
  });

  it('compares times as instants, not text', () => {
    expect(
      order([
        m('later', { route: 'a', created: '2026-02-01T01:00:00Z' }),
        m('earlier', { route: 'b', created: '2026-02-01T01:30:00+02:00' }),
      ]),
    ).toEqual(['earlier', 'later']);
  });

  it('within one route keeps the first rule, then the first match', () => {
    expect(
      order([
        m('r1m0', { rule: 1, match: 0 }),
        m('r0m1', { rule: 0, match: 1 }),
        m('r0m0', { rule: 0, match: 0 }),
      ]),
    ).toEqual(['r0m0', 'r0m1', 'r1m0']);
  });

  it('ranks the path over everything else', () => {
    expect(
      order([
        m('short-prefix-with-all', {
          path: { kind: 'prefix', value: '/a' },
          method: 'GET',
          headers: h(3),
          queryParams: h(3),
        }),
        m('longer-prefix', { path: { kind: 'prefix', value: '/a/b' } }),
      ]),
    ).toEqual(['longer-prefix', 'short-prefix-with-all']);
  });
});
