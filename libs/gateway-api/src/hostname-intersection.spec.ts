import {
  ANY_HOST,
  compareHostSpecificity,
  hostMatches,
  hostnamesOverlap,
  intersectHostnames,
} from './hostname-intersection';

describe('hostMatches', () => {
  it('takes a name only by itself, without case', () => {
    expect(hostMatches('foo.example.com', 'FOO.example.com')).toBe(true);
    expect(hostMatches('foo.example.com', 'bar.example.com')).toBe(false);
  });

  it('takes one or more labels for a wildcard, never the bare suffix', () => {
    expect(hostMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'aexample.com')).toBe(false);
  });
});

describe('intersectHostnames', () => {
  it('serves any host when neither the listener nor the route names one', () => {
    expect(intersectHostnames(undefined, undefined)).toEqual([ANY_HOST]);
    expect(intersectHostnames(undefined, [])).toEqual([ANY_HOST]);
  });

  it("takes the listener's name for a route without host names", () => {
    expect(intersectHostnames('*.example.com', [])).toEqual(['*.example.com']);
  });

  it("takes the route's names under a listener without one, lower case, sorted, once", () => {
    expect(
      intersectHostnames(undefined, ['b.example.com', 'A.example.com', 'a.example.com']),
    ).toEqual(['a.example.com', 'b.example.com']);
  });

  // The examples of HTTPRouteSpec `hostnames` in apis/v1/httproute_types.go.
  it('lets a test.example.com listener take test.example.com and *.example.com routes', () => {
    expect(intersectHostnames('test.example.com', ['test.example.com'])).toEqual([
      'test.example.com',
    ]);
    expect(intersectHostnames('test.example.com', ['*.example.com'])).toEqual(['test.example.com']);
    expect(intersectHostnames('test.example.com', ['other.example.com'])).toEqual([]);
  });

  it('lets a *.example.com listener take names and narrower wildcards below it, not example.com', () => {
    expect(
      intersectHostnames('*.example.com', [
        '*.example.com',
        'test.example.com',
        'foo.test.example.com',
        '*.test.example.com',
        'example.com',
        'test.example.net',
      ]),
    ).toEqual(['*.example.com', '*.test.example.com', 'foo.test.example.com', 'test.example.com']);
  });

  it('narrows a broader wildcard route to the listener wildcard', () => {
    expect(intersectHostnames('*.example.com', ['*.com'])).toEqual(['*.example.com']);
  });

  it('finds nothing between disjoint names', () => {
    expect(intersectHostnames('*.example.com', ['example.net', '*.example.net'])).toEqual([]);
  });
});

describe('compareHostSpecificity', () => {
  it('puts names before wildcards, longer first, any host last', () => {
    const hosts = [
      ANY_HOST,
      '*.example.com',
      'a.example.com',
      '*.a.example.com',
      'long.a.example.com',
    ];
    expect([...hosts].sort(compareHostSpecificity)).toEqual([
      'long.a.example.com',
      'a.example.com',
      '*.a.example.com',
      '*.example.com',
      ANY_HOST,
    ]);
  });
});

describe('hostnamesOverlap', () => {
  it.each<[string | null, string | null]>([
    ['foo.example.com', 'FOO.example.com'],
    ['*.example.com', 'foo.example.com'],
    ['foo.example.com', '*.example.com'],
    ['*.example.com', 'a.b.example.com'],
    ['*.example.com', '*.a.example.com'],
    ['*.a.example.com', '*.example.com'],
    ['*.example.com', '*.EXAMPLE.com'],
    [null, 'foo.example.com'],
    ['*.example.com', null],
    [null, null],
  ])('%s and %s overlap', (a, b) => {
    expect(hostnamesOverlap(a, b)).toBe(true);
  });

  it.each<[string, string]>([
    ['foo.example.com', 'bar.example.com'],
    ['foo.example.com', 'foo.example.org'],
    ['*.example.com', 'example.com'],
    ['*.example.com', 'foo.example.org'],
    ['*.a.example.com', '*.b.example.com'],
  ])('%s and %s do not', (a, b) => {
    expect(hostnamesOverlap(a, b)).toBe(false);
  });
});
