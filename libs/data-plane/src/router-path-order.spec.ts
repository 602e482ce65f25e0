import { moreSpecific, OverlapIndex, pathsOverlap } from './router-path-order';

describe('router paths', () => {
  it.each([
    ['/a', '/a', true],
    ['/a', '/a/', true],
    ['/a', '/b', false],
    ['/a/:p0', '/a/b', true],
    ['/a/:p0', '/b/:p0', false],
    ['/a/:p0', '/a/b/c', false],
    ['/a/*', '/a/b/c', true],
    ['/a/*', '/a', true],
    ['/*', '/anything/at/all', true],
    ['/', '/a', false],
    ['/v1/shelves/:p0', '/v1/shelves/7::archive', true],
    ['/v1/books::batchGet', '/v1/books::batchPut', false],
    ['/:p0/c', '/a/:p0', true],
  ])('%s and %s overlap: %s', (a, b, overlap) => {
    expect(pathsOverlap(a, b)).toBe(overlap);
    expect(pathsOverlap(b, a)).toBe(overlap);
  });

  it.each([
    ['/a/b', '/a/:p0'],
    ['/a/:p0', '/a/*'],
    ['/a/b/*', '/a/*'],
    ['/a', '/a/*'],
    ['/a/:p0/c', '/:p0/b/c'],
    ['/a/b/c', '/*'],
  ])('%s is tried before %s', (first, second) => {
    expect(moreSpecific(first, second)).toBe(true);
    expect(moreSpecific(second, first)).toBe(false);
  });

  it('finds neither of two equal paths more specific', () => {
    expect(moreSpecific('/a/:p0', '/a/:p1')).toBe(false);
    expect(moreSpecific('/a/*', '/a/*')).toBe(false);
  });
});

describe('OverlapIndex', () => {
  const paths = [
    '/',
    '/*',
    '/a',
    '/a/',
    '/a/*',
    '/a/:p0',
    '/a/:p0/c',
    '/a/b',
    '/a/b/*',
    '/a/b/c',
    '/b',
    '/b/:p0',
    '/:p0',
    '/:p0/b/c',
    '/:p0/c',
    '/v1/shelves/:p0',
    '/v1/shelves/7::archive',
    '/v1/books::batchGet',
    '/v1/books::batchPut',
    '/v1/*',
  ];
  // Items of one path each, and one item of several: found once, in their order.
  const items = [...paths.map((path) => [path]), ['/b', '/a/b/c']];
  const index = new OverlapIndex(items);

  it.each(paths)('finds exactly the items with a path that overlaps %s', (path) => {
    const expected = items.flatMap((own, i) =>
      own.some((other) => pathsOverlap(other, path)) ? [i] : [],
    );
    expect(index.overlapping(path)).toEqual(expected);
  });
});
