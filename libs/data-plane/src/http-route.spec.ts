import { modifiedPath, rewritten } from './http-route';

describe('rewritten', () => {
  it.each([
    ['/projects', { prefix: '/projects', replacement: '/create' }, '/create'],
    ['/projects/1', { prefix: '/projects', replacement: '/create' }, '/create/1'],
    ['/projectsx', { prefix: '/projects', replacement: '/create' }, '/projectsx'],
    ['/api/v1/x', { prefix: '/api', replacement: '/' }, '/v1/x'],
    ['/api', { prefix: '/api', replacement: '/' }, '/'],
    ['/x', { prefix: '/', replacement: '/base' }, '/base/x'],
    ['/x', null, '/x'],
  ])('%s with %j -> %s', (path, rewrite, expected) => {
    expect(rewritten(path, rewrite)).toBe(expected);
  });
});

describe('modifiedPath (a route rewrite or redirect)', () => {
  it.each<[string, Parameters<typeof modifiedPath>[1], string, string]>([
    ['/old/a', { kind: 'full', path: '/new' }, '/old', '/new'],
    ['/old/a', { kind: 'prefix', prefix: '/new' }, '/old', '/new/a'],
    ['/old', { kind: 'prefix', prefix: '/new' }, '/old', '/new'],
    ['/old/a', { kind: 'prefix', prefix: '/' }, '/old', '/a'],
    ['/a', { kind: 'prefix', prefix: '/base' }, '/', '/base/a'],
  ])('%s with %j (matched %s) -> %s', (path, modifier, matched, expected) => {
    expect(modifiedPath(path, modifier, matched)).toBe(expected);
  });
});
