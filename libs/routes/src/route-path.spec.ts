import { httpRuleSegments, pathMatchOf, pathProblem, pathShape } from './route-path';

describe('route paths', () => {
  it.each([
    ['/', 'exact'],
    ['/projects', 'exact'],
    ['/projects/', 'exact'],
    ["/a-b_c.d~e/%20/x:y@z!$&'()*+,;=", 'prefix'],
    ['/orders/{id}/items/{item_id}', 'template'],
  ] as const)('accepts %s as a %s path', (path, kind) => {
    expect(pathProblem(path, kind)).toBeUndefined();
  });

  it.each([
    ['projects', 'exact', 'expected a path starting with "/"'],
    ['/a//b', 'exact', 'expected a path without empty, "." or ".." segments'],
    ['/a/./b', 'prefix', 'expected a path without empty, "." or ".." segments'],
    ['/a?b=1', 'exact', 'expected URL path characters (bad segment "a?b=1")'],
    ['/a/%zz', 'exact', 'expected URL path characters (bad segment "%zz")'],
    ['/orders/{id}', 'exact', 'expected URL path characters (bad segment "{id}")'],
    ['/orders', 'template', 'expected at least one {variable} (use exact for a fixed path)'],
    [
      '/orders/{1d}',
      'template',
      'expected URL path characters and whole-segment {variables} (bad segment "{1d}")',
    ],
  ] as const)('refuses %s as a %s path: %s', (path, kind, problem) => {
    expect(pathProblem(path, kind)).toBe(problem);
  });

  it('drops one trailing slash and lists the variables of a template', () => {
    expect(pathMatchOf('prefix', '/api/')).toEqual({ kind: 'prefix', path: '/api' });
    expect(pathMatchOf('exact', '/')).toEqual({
      kind: 'exact',
      path: '/',
      trailingSlash: 'ignore',
    });
    expect(pathMatchOf('exact', '/a/')).toEqual({
      kind: 'exact',
      path: '/a',
      trailingSlash: 'ignore',
    });
    // Strict: the path as written, its trailing slash kept; shaped as the path without it.
    expect(pathMatchOf('exact', '/a/', 'strict')).toEqual({
      kind: 'exact',
      path: '/a/',
      trailingSlash: 'strict',
    });
    expect(pathShape(pathMatchOf('exact', '/a/', 'strict'))).toBe('path /a');
    expect(pathMatchOf('template', '/o/{id}/i/{item}/')).toEqual({
      kind: 'template',
      path: '/o/{id}/i/{item}',
      variables: ['id', 'item'],
    });
  });

  it('gives paths that take the same requests the same shape, and only those', () => {
    const shape = (kind: 'exact' | 'prefix' | 'template', path: string) =>
      pathShape(pathMatchOf(kind, path));
    expect(shape('template', '/o/{id}')).toBe(shape('template', '/o/{orderId}/'));
    expect(shape('template', '/o/{id}')).not.toBe(shape('template', '/p/{id}'));
    expect(shape('exact', '/o')).not.toBe(shape('prefix', '/o'));
  });

  it('gives a google.api.http template the shape of the paths it takes', () => {
    const rule = (path: string) => pathShape({ kind: 'http-rule', path, variables: [] });
    const template = (path: string) => pathShape(pathMatchOf('template', path));
    expect(rule('/v1/{name=shelves/*}')).toBe(template('/v1/shelves/{id}'));
    expect(rule('/v1/shelves/{shelf}')).toBe(template('/v1/shelves/{id}'));
    expect(rule('/v1/shelves')).toBe(pathShape(pathMatchOf('exact', '/v1/shelves')));
    expect(rule('/v1/shelves/{shelf}:archive')).not.toBe(rule('/v1/shelves/{shelf}'));
    expect(rule('/v1/{name=**}')).not.toBe(rule('/v1/{name=*}'));
    expect(rule('/v1/{name=shelves/*}')).not.toBe(rule('/v1/{name=books/*}'));
  });

  it('expands an http-rule template into the segments it matches and its verb', () => {
    expect(httpRuleSegments('/v1/{book.name=shelves/*/books/*}:publish')).toEqual({
      segments: ['v1', 'shelves', '*', 'books', '*'],
      verb: 'publish',
    });
    expect(httpRuleSegments('/v1/{name=**}')).toEqual({ segments: ['v1', '**'], verb: undefined });
    expect(httpRuleSegments('/x:go')).toEqual({ segments: ['x'], verb: 'go' });
  });
});
