import { requestIdFrom } from './request-id';

describe('requestIdFrom', () => {
  it('keeps a well-formed incoming id', () => {
    expect(requestIdFrom('abc-123_X.y:z')).toBe('abc-123_X.y:z');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });

  it.each([undefined, '', 'has space', 'new\nline', 'x'.repeat(129), '<script>'])(
    'replaces %p with a fresh UUID',
    (incoming) => {
      expect(requestIdFrom(incoming)).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});
