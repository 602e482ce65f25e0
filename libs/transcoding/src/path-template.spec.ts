import { parsePathTemplate } from './path-template';
import { HttpRuleError, TranscodingError } from './transcoding-error';

describe('parsePathTemplate', () => {
  it('binds a {var} to exactly one segment', () => {
    const t = parsePathTemplate('/v1/shelves/{shelf}');
    expect(t.variables).toEqual(['shelf']);
    expect(t.match('/v1/shelves/42')).toEqual({ shelf: '42' });
    expect(t.match('/v1/shelves/42/books')).toBeNull();
    expect(t.match('/v1/shelves/')).toBeNull();
    expect(t.match('/v1/shelf/42')).toBeNull();
  });

  it('binds {name=shelves/*/books/*} to the matched segments, joined', () => {
    const t = parsePathTemplate('/v1/{name=shelves/*/books/*}');
    expect(t.match('/v1/shelves/1/books/2')).toEqual({ name: 'shelves/1/books/2' });
    expect(t.match('/v1/shelves/1/novels/2')).toBeNull();
    expect(t.match('/v1/shelves/1/books')).toBeNull();
  });

  it('lets ** match zero or more trailing segments', () => {
    const t = parsePathTemplate('/v1/books/{name=**}');
    expect(t.match('/v1/books/a/b/c')).toEqual({ name: 'a/b/c' });
    expect(t.match('/v1/books')).toEqual({ name: '' });
  });

  it('binds nested field paths such as {book.name}', () => {
    const t = parsePathTemplate('/v1/{book.name=shelves/*/books/*}');
    expect(t.variables).toEqual(['book.name']);
    expect(t.match('/v1/shelves/1/books/2')).toEqual({ 'book.name': 'shelves/1/books/2' });
  });

  it('requires the :verb suffix and strips it', () => {
    const t = parsePathTemplate('/v1/shelves/{shelf}:archive');
    expect(t.verb).toBe('archive');
    expect(t.match('/v1/shelves/7:archive')).toEqual({ shelf: '7' });
    expect(t.match('/v1/shelves/7')).toBeNull();
    expect(t.match('/v1/shelves/7:restore')).toBeNull();
  });

  it('matches unbound * and ** segments without capturing them', () => {
    const t = parsePathTemplate('/v1/*/items/{id}/**');
    expect(t.match('/v1/x/items/5/a/b')).toEqual({ id: '5' });
    expect(t.match('/v1/x/things/5')).toBeNull();
  });

  it('ignores the query string', () => {
    expect(parsePathTemplate('/v1/shelves/{shelf}').match('/v1/shelves/3?x=1')).toEqual({
      shelf: '3',
    });
  });

  it('decodes a one-segment variable fully, a multi-segment one except %2F', () => {
    expect(parsePathTemplate('/v1/{id}').match('/v1/a%2Fb%20c%C3%A9')).toEqual({ id: 'a/b cé' });
    expect(parsePathTemplate('/v1/{name=**}').match('/v1/a%2Fb/c%20d%2f')).toEqual({
      name: 'a%2Fb/c d%2f',
    });
  });

  it('names the variable whose percent-encoding is malformed', () => {
    const t = parsePathTemplate('/v1/{id}');
    expect(() => t.match('/v1/%E0%A4')).toThrow(TranscodingError);
    expect(() => t.match('/v1/%E0%A4')).toThrow(/^id: malformed percent-encoding/);
  });

  it.each([
    ['v1/shelves', 'it must start with "/"'],
    ['/v1/{name=shelves/**/books}', '"**" must be the last segment'],
    ['/v1/{shelf', 'unclosed "{"'],
    ['/v1/shelf}', 'unbalanced "}"'],
    ['/v1/{a={b}}', 'variables cannot nest'],
    ['/v1//x', 'empty segment'],
    ['/v1/{1x}', 'bad field path "1x"'],
    ['/v1/{id}/{id}', 'variable "id" appears twice'],
    ['/v1/a:b/c', 'bad segment "a:b"'],
  ])('rejects %s: %s', (template, why) => {
    expect(() => parsePathTemplate(template)).toThrow(HttpRuleError);
    expect(() => parsePathTemplate(template)).toThrow(
      `malformed path template "${template}": ${why}`,
    );
  });
});
