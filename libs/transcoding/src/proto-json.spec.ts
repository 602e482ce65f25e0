import type { Type } from 'protobufjs';
import { fromProtoJson, toProtoJson } from './proto-json';
import { errorOf, loadTestProto } from './test-protos.fixture';

const { root } = loadTestProto('bookstore.proto');
const Book = root.lookupType('bookstore.v1.Book');
const UpdateBookRequest = root.lookupType('bookstore.v1.UpdateBookRequest');
const Empty = root.lookupType('google.protobuf.Empty');

/** JSON in, through the protobuf wire format, JSON out: what the gateway does on both sides. */
function roundTrip(type: Type, json: unknown): unknown {
  const bytes = type.encode(type.fromObject(fromProtoJson(type, json))).finish();
  return toProtoJson(type, type.decode(bytes));
}

describe('proto3 JSON input', () => {
  it('accepts lowerCamelCase, .proto and json_name field names', () => {
    expect(fromProtoJson(Book, { pageCount: 1, published_at: null, label: 'a' })).toEqual({
      page_count: '1',
      shelf_label: 'a',
    });
    expect(fromProtoJson(Book, { page_count: '2', shelf_label: 'b' })).toEqual({
      page_count: '2',
      shelf_label: 'b',
    });
  });

  it('takes 64-bit integers as numbers or strings, without losing precision', () => {
    expect(roundTrip(Book, { pageCount: 7, sold: '18446744073709551615' })).toEqual({
      pageCount: '7',
      sold: '18446744073709551615',
    });
  });

  it('takes enums by name or number and gives names', () => {
    expect(roundTrip(Book, { genre: 'HISTORY' })).toEqual({ genre: 'HISTORY' });
    expect(roundTrip(Book, { genre: 1 })).toEqual({ genre: 'FICTION' });
  });

  it('takes bytes as standard or URL-safe base64', () => {
    expect(roundTrip(Book, { cover: '+/8=' })).toEqual({ cover: '+/8=' });
    expect(roundTrip(Book, { cover: '-_8' })).toEqual({ cover: '+/8=' });
  });

  it('maps Timestamp to RFC 3339 and Duration to seconds with an "s"', () => {
    expect(
      roundTrip(Book, { publishedAt: '2024-02-29T12:00:00.5+01:00', readTime: '-1.5s' }),
    ).toEqual({ publishedAt: '2024-02-29T11:00:00.500Z', readTime: '-1.500s' });
    expect(roundTrip(Book, { publishedAt: '0001-01-01T00:00:00Z', readTime: '3s' })).toEqual({
      publishedAt: '0001-01-01T00:00:00Z',
      readTime: '3s',
    });
    expect(roundTrip(Book, { readTime: '0.000001s' })).toEqual({ readTime: '0.000001s' });
  });

  it('maps wrappers to their plain values, a zero included', () => {
    expect(roundTrip(Book, { subtitle: 'vol. 1', edition: 0 })).toEqual({
      subtitle: 'vol. 1',
      edition: 0,
    });
  });

  it('maps Struct, Value and ListValue to any JSON', () => {
    const extra = { a: [1, 'two', true, null, { b: {} }], c: null };
    expect(roundTrip(Book, { extra, history: [1, ['x']] })).toEqual({
      extra,
      history: [1, ['x']],
    });
    expect(roundTrip(Book, { extra: null })).toEqual({ extra: null });
  });

  it('maps a FieldMask to lowerCamelCase paths joined by commas', () => {
    expect(fromProtoJson(UpdateBookRequest, { updateMask: 'publishedAt,readTime.x' })).toEqual({
      update_mask: { paths: ['published_at', 'read_time.x'] },
    });
    expect(roundTrip(UpdateBookRequest, { updateMask: 'publishedAt,author' })).toEqual({
      updateMask: 'publishedAt,author',
    });
  });

  it('maps Any with its @type, a well-known type inside as "value"', () => {
    const shelf = { '@type': 'type.googleapis.com/bookstore.v1.Shelf', id: '4', genre: 'FICTION' };
    expect(roundTrip(Book, { attachment: shelf })).toEqual({ attachment: shelf });
    const ts = {
      '@type': 'type.googleapis.com/google.protobuf.Timestamp',
      value: '2020-01-01T00:00:00Z',
    };
    expect(roundTrip(Book, { attachment: ts })).toEqual({ attachment: ts });
  });

  it('maps maps and repeated fields, and keeps Empty empty', () => {
    expect(roundTrip(Book, { ratings: { alice: 5 }, tags: ['a', 'b'] })).toEqual({
      ratings: { alice: 5 },
      tags: ['a', 'b'],
    });
    expect(roundTrip(Empty, {})).toEqual({});
  });

  it.each([
    [{ pageCount: '12x' }, 'pageCount', 'expected an integer (int64), got "12x"'],
    [{ pageCount: 1.5 }, 'pageCount', 'expected an integer (int64), got 1.5'],
    [
      { pageCount: '9223372036854775808' },
      'pageCount',
      '9223372036854775808 is out of range for int64',
    ],
    [{ sold: -1 }, 'sold', '-1 is out of range for uint64'],
    [{ stock: true }, 'stock', 'expected an integer (int32), got true'],
    [{ name: 5 }, 'name', 'expected a string, got 5'],
    [{ price: 'cheap' }, 'price', 'expected a number, got "cheap"'],
    [{ genre: 'POETRY' }, 'genre', '"POETRY" is not a value of enum Genre'],
    [{ genre: true }, 'genre', 'expected an enum name of Genre, got true'],
    [{ cover: 'a$b=' }, 'cover', 'expected base64 bytes, got "a$b="'],
    [{ nope: 1 }, 'nope', 'unknown field of Book'],
    [{ name: 'a', isbn: 'x', url: 'y' }, 'url', 'oneof format is already set by isbn'],
    [{ pageCount: 1, page_count: 2 }, 'page_count', 'field page_count is given twice'],
    [{ pageCount: null, page_count: null }, 'page_count', 'field page_count is given twice'],
    [
      { pageCount: 2 ** 60 },
      'pageCount',
      '1152921504606847000 is beyond 2^53, where JSON numbers lose precision: send int64 as a string',
    ],
    [{ tags: 'a' }, 'tags', 'expected a JSON array'],
    [{ tags: ['a', null] }, 'tags[1]', 'null is not allowed here'],
    [{ ratings: { bob: 'x' } }, 'ratings.bob', 'expected an integer (int32), got "x"'],
    [
      { publishedAt: '2023-02-29T00:00:00Z' },
      'publishedAt',
      '2023-02-29T00:00:00Z is not a valid date and time',
    ],
    [
      { publishedAt: '2023-13-01T00:00:00Z' },
      'publishedAt',
      '2023-13-01T00:00:00Z is not a valid date and time',
    ],
    [{ publishedAt: 1700000000 }, 'publishedAt', 'expected an RFC 3339 timestamp, got 1700000000'],
    [{ readTime: '1.5' }, 'readTime', 'expected a duration such as "1.5s", got "1.5"'],
    [{ edition: 'two' }, 'edition', 'expected an integer (int32), got "two"'],
    [{ history: {} }, 'history', 'expected a JSON array'],
    [{ attachment: { id: 1 } }, 'attachment', 'expected an object with "@type"'],
    [
      { attachment: { '@type': 'x/no.Such' } },
      'attachment',
      'Any names type "no.Such", which the loaded .proto files do not define',
    ],
    [
      { attachment: { '@type': 'x/bookstore.v1.Shelf', nope: 1 } },
      'attachment.nope',
      'unknown field of Shelf',
    ],
  ])('rejects %j naming %s', (json, field, message) => {
    expect(errorOf(() => fromProtoJson(Book, json))).toEqual({ field, message });
  });

  it('names nested fields by their path and rejects a body that is not an object', () => {
    expect(errorOf(() => fromProtoJson(UpdateBookRequest, { book: { genre: 'X' } }))).toEqual({
      field: 'book.genre',
      message: '"X" is not a value of enum Genre',
    });
    expect(errorOf(() => fromProtoJson(Book, [1]))).toEqual({
      field: '',
      message: 'expected a JSON object (Book)',
    });
    expect(errorOf(() => fromProtoJson(Empty, { a: 1 }))).toEqual({
      field: 'a',
      message: 'unknown field of Empty',
    });
  });
});

describe('proto3 JSON output', () => {
  it('leaves out proto3 defaults but keeps fields with presence', () => {
    expect(
      toProtoJson(Book, { name: '', page_count: 0, genre: 0, tags: [], stock: 0, isbn: '' }),
    ).toEqual({ stock: 0, isbn: '' });
  });

  it('writes lowerCamelCase or json_name, and NaN and Infinity as strings', () => {
    expect(toProtoJson(Book, { page_count: 3, shelf_label: 'x', price: NaN })).toEqual({
      pageCount: '3',
      label: 'x',
      price: 'NaN',
    });
    expect(toProtoJson(Book, { price: -Infinity })).toEqual({ price: '-Infinity' });
  });
});
