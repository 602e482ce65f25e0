import { rewritten } from './http-route';

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
