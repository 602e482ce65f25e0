import { join } from 'node:path';
import { loadHttpRules } from './load-http-rules';
import { loadProtoRoot } from './load-proto-root';
import { mapRequest, type HttpRequestParts } from './map-request';
import { mapResponse } from './map-response';
import type { HttpBinding } from './read-http-rules';
import { bindingOf, errorOf, loadTestProto } from './test-protos.fixture';

const { bindings } = loadTestProto('bookstore.proto');
const S = '/bookstore.v1.Bookstore';

/** Routes like the gateway will: match the path, map the request, check it encodes. */
function request(
  binding: HttpBinding,
  path: string,
  parts: Omit<HttpRequestParts, 'pathVariables'> = {},
): Record<string, unknown> {
  const pathVariables = binding.template.match(path);
  if (pathVariables === null) throw new Error(`${path} does not match ${binding.template.source}`);
  const plain = mapRequest(binding, { ...parts, pathVariables });
  const type = binding.requestType;
  expect(type.verify(type.fromObject(plain))).toBeNull();
  return plain;
}

const getShelf = bindingOf(bindings, `${S}/GetShelf`);
const listBooks = bindingOf(bindings, `${S}/ListBooks`);
const getBook = bindingOf(bindings, `${S}/GetBook`, '/v1/{name=shelves/*/books/*}');
const getBookDeep = bindingOf(bindings, `${S}/GetBook`, '/v1/books/{name=**}');
const createBook = bindingOf(bindings, `${S}/CreateBook`);
const updateBook = bindingOf(bindings, `${S}/UpdateBook`);
const createShelf = bindingOf(bindings, `${S}/CreateShelf`, '/v1/shelves');
const putShelf = bindingOf(bindings, `${S}/CreateShelf`, '/v1/shelves/{id}');
const archiveShelf = bindingOf(bindings, `${S}/ArchiveShelf`);

describe('mapRequest', () => {
  it('sets a path variable into its field, typed', () => {
    expect(request(getShelf, '/v1/shelves/42')).toEqual({ shelf: '42' });
    expect(request(getBook, '/v1/shelves/1/books/2')).toEqual({ name: 'shelves/1/books/2' });
    expect(request(getBookDeep, '/v1/books/a/b')).toEqual({ name: 'a/b' });
  });

  it('takes the other fields from the query: repeated, nested, enum, bool, well-known', () => {
    const query = new URLSearchParams(
      'tags=a&tags=b&genre=FICTION&page.size=10&page.token=t&since=2020-01-01T00:00:00Z' +
        '&includeDrafts=true&ids=1&ids=2',
    );
    expect(request(listBooks, '/v1/shelves/3/books', { query })).toEqual({
      shelf: '3',
      tags: ['a', 'b'],
      genre: 1,
      page: { size: 10, token: 't' },
      since: { seconds: '1577836800', nanos: 0 },
      include_drafts: true,
      ids: ['1', '2'],
    });
  });

  it('takes a query object as Fastify parses it, and an enum by number', () => {
    expect(
      request(listBooks, '/v1/shelves/3/books', { query: { tags: ['x', 'y'], genre: '2' } }),
    ).toEqual({ shelf: '3', tags: ['x', 'y'], genre: 2 });
  });

  it('puts the body into the body field and the rest in the path', () => {
    expect(
      request(createBook, '/v1/shelves/5/books', {
        body: { name: 'n', pageCount: '300', publishedAt: '2020-01-01T00:00:00Z' },
      }),
    ).toEqual({
      shelf: '5',
      book: { name: 'n', page_count: '300', published_at: { seconds: '1577836800', nanos: 0 } },
    });
  });

  it('sets a nested path variable inside the body field; the body may repeat it', () => {
    expect(
      request(updateBook, '/v1/shelves/1/books/2', {
        body: { author: 'a' },
        query: { updateMask: 'author' },
      }),
    ).toEqual({
      book: { author: 'a', name: 'shelves/1/books/2' },
      update_mask: { paths: ['author'] },
    });
    expect(
      request(updateBook, '/v1/shelves/1/books/2', { body: { name: 'shelves/1/books/2' } }),
    ).toEqual({ book: { name: 'shelves/1/books/2' } });
  });

  it('lets the path win over a body or query value of the same field, as grpc-gateway does', () => {
    expect(request(putShelf, '/v1/shelves/1', { body: { id: '2', theme: 't' } })).toEqual({
      id: '1',
      theme: 't',
    });
    expect(request(listBooks, '/v1/shelves/1/books', { query: { shelf: '2' } })).toEqual({
      shelf: '1',
    });
  });

  it('takes the whole message from the body with body "*"', () => {
    expect(
      request(createShelf, '/v1/shelves', {
        body: { theme: 'x', genre: 'HISTORY', labels: { a: 1 }, createdAt: '2020-01-01T00:00:00Z' },
      }),
    ).toEqual({
      theme: 'x',
      genre: 2,
      labels: { fields: { a: { numberValue: 1 } } },
      created_at: { seconds: '1577836800', nanos: 0 },
    });
    expect(request(putShelf, '/v1/shelves/9', { body: { theme: 'y' } })).toEqual({
      theme: 'y',
      id: '9',
    });
    expect(
      request(archiveShelf, '/v1/shelves/9:archive', { body: { retention: '86400s' } }),
    ).toEqual({
      shelf: '9',
      retention: { seconds: '86400', nanos: 0 },
    });
  });

  it('maps the seed rule: POST /verify with body "*" to VerifyRequest, wire-compatible', () => {
    const seed = loadHttpRules({ files: [join(__dirname, '../../../proto/userverify.proto')] })
      .bindings[0];
    const plain = request(seed, '/verify', { body: { id: 7, token: 'secret' } });
    expect(plain).toEqual({ id: 7, token: 'secret' });
    // The rule changed nothing on the wire: bytes it encodes decode with the original demo's .proto.
    const original = loadProtoRoot({
      files: [join(__dirname, '../../../test/fixtures/original-userverify.proto')],
    });
    const VerifyRequest = original.lookupType('userverify.VerifyRequest');
    const bytes = seed.requestType.encode(seed.requestType.fromObject(plain)).finish();
    expect(VerifyRequest.toObject(VerifyRequest.decode(bytes))).toEqual({ id: 7, token: 'secret' });
    expect(errorOf(() => mapRequest(seed, { pathVariables: {}, body: { id: 'seven' } }))).toEqual({
      field: 'id',
      message: 'expected an integer (int32), got "seven"',
    });
  });

  it.each<[string, HttpBinding, string, Omit<HttpRequestParts, 'pathVariables'>, string, string]>([
    [
      'a bad int64 in the path',
      getShelf,
      '/v1/shelves/x1',
      {},
      'shelf',
      'expected an integer (int64), got "x1"',
    ],
    [
      'an unknown query parameter',
      listBooks,
      '/v1/shelves/1/books',
      { query: { nope: '1' } },
      'nope',
      'unknown field of ListBooksRequest',
    ],
    [
      'an unknown nested query parameter',
      listBooks,
      '/v1/shelves/1/books',
      { query: { 'page.nope': '1' } },
      'page.nope',
      'unknown field of ListBooksRequest',
    ],
    [
      'a bad enum name in the query',
      listBooks,
      '/v1/shelves/1/books',
      { query: { genre: 'POETRY' } },
      'genre',
      '"POETRY" is not a value of enum Genre',
    ],
    [
      'a bad bool in the query',
      listBooks,
      '/v1/shelves/1/books',
      { query: { includeDrafts: 'yes' } },
      'includeDrafts',
      'expected true or false, got "yes"',
    ],
    [
      'two members of a oneof from the query',
      listBooks,
      '/v1/shelves/1/books',
      { query: { after: 'a', before: 'b' } },
      'before',
      'oneof cursor is already set by after',
    ],
    [
      'one field by both of its names',
      listBooks,
      '/v1/shelves/1/books',
      { query: { include_drafts: 'true', includeDrafts: 'true' } },
      'includeDrafts',
      'given twice',
    ],
    [
      'a single-valued field given twice',
      listBooks,
      '/v1/shelves/1/books',
      { query: { genre: ['FICTION', 'HISTORY'] } },
      'genre',
      'a single-valued field is given more than once',
    ],
    [
      'a message field from one query value',
      listBooks,
      '/v1/shelves/1/books',
      { query: { page: 'x' } },
      'page',
      'a message or map field cannot be set from one text value; set its fields',
    ],
    [
      'a map field from the query',
      listBooks,
      '/v1/shelves/1/books',
      { query: { filter: 'x' } },
      'filter',
      'a message or map field cannot be set from one text value; set its fields',
    ],
    [
      'a query field under a scalar',
      listBooks,
      '/v1/shelves/1/books',
      { query: { 'genre.x': '1' } },
      'genre.x',
      'genre has no fields to set',
    ],
    [
      'the body field from the query',
      createBook,
      '/v1/shelves/1/books',
      { query: { 'book.name': 'x' } },
      'book.name',
      'this field comes from the body',
    ],
    [
      'a query string with body "*"',
      createShelf,
      '/v1/shelves',
      { query: { theme: 'x' } },
      'theme',
      'this route takes every field from the body, not the query string',
    ],
    [
      'a body on a route without one',
      getShelf,
      '/v1/shelves/1',
      { body: { shelf: 1 } },
      '',
      'this route takes no request body',
    ],
    [
      'a wrong type in the body field',
      createBook,
      '/v1/shelves/1/books',
      { body: { tags: 'a' } },
      'book.tags',
      'expected a JSON array',
    ],
    [
      'an unknown field in the body field',
      createBook,
      '/v1/shelves/1/books',
      { body: { nope: 1 } },
      'book.nope',
      'unknown field of Book',
    ],
    [
      'an unknown field with body "*"',
      createShelf,
      '/v1/shelves',
      { body: { nope: 1 } },
      'nope',
      'unknown field of Shelf',
    ],
  ])('rejects %s', (_, binding, path, parts, field, message) => {
    const pathVariables = binding.template.match(path) ?? {};
    expect(errorOf(() => mapRequest(binding, { ...parts, pathVariables }))).toEqual({
      field,
      message,
    });
  });
});

describe('mapResponse', () => {
  const reply = { books: [{ name: 'a', page_count: 3, genre: 2 }, {}], next_page_token: 'n' };

  it('sends the whole reply in proto3 JSON', () => {
    expect(
      mapResponse({ ...listBooks, responseBody: undefined }, { books: [{ name: 'a' }] }),
    ).toEqual({ books: [{ name: 'a' }] });
    expect(mapResponse(getShelf, { id: 1, created_at: { seconds: 1, nanos: 5e8 } })).toEqual({
      id: '1',
      createdAt: '1970-01-01T00:00:01.500Z',
    });
  });

  it('sends only the response_body field', () => {
    expect(mapResponse(listBooks, reply)).toEqual([
      { name: 'a', pageCount: '3', genre: 'HISTORY' },
      {},
    ]);
    expect(mapResponse(listBooks, {})).toEqual([]);
  });
});
