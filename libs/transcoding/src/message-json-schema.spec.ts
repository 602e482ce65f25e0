import Ajv2020 from 'ajv/dist/2020';
import { Root, type Type } from 'protobufjs';
import { INT_RANGES, scalarFromJson } from './json-scalars';
import { messageJsonSchema } from './message-json-schema';
import { fromProtoJson, toProtoJson } from './proto-json';
import { decimalRangePattern } from './scalar-json-schema';
import { loadTestProto } from './test-protos.fixture';

const { root } = loadTestProto('bookstore.proto');
const Book = root.lookupType('bookstore.v1.Book');
const ListBooksRequest = root.lookupType('bookstore.v1.ListBooksRequest');
const UpdateBookRequest = root.lookupType('bookstore.v1.UpdateBookRequest');
const Empty = root.lookupType('google.protobuf.Empty');

// Formats are annotations in 2020-12: the patterns carry the checks.
const ajv = new Ajv2020({ strict: false, validateFormats: false });

function validator(type: Type, io: 'input' | 'output') {
  return ajv.compile(messageJsonSchema(type, io));
}

function transcoderAccepts(type: Type, json: unknown): boolean {
  try {
    fromProtoJson(type, json);
    return true;
  } catch {
    return false;
  }
}

// Each body is judged twice - by the schema and by the transcoder - and the two must agree.
const BOOK_BODIES: unknown[] = [
  {},
  { name: 'a', pageCount: 7, page_count: null },
  { pageCount: '0007' },
  { pageCount: '9223372036854775807' },
  { pageCount: '9223372036854775808' },
  { pageCount: '-9223372036854775808' },
  { pageCount: '-9223372036854775809' },
  { pageCount: 1.5 },
  { pageCount: 'x' },
  { pageCount: 1, page_count: 2 },
  { pageCount: 1, page_count: null },
  { sold: '18446744073709551615' },
  { sold: '18446744073709551616' },
  { sold: '-0' },
  { sold: '-1' },
  { genre: 'HISTORY' },
  { genre: 2 },
  { genre: 99 },
  { genre: 'POETRY' },
  { genre: 2 ** 31 },
  { cover: 'aGVsbG8=' },
  { cover: 'aGVsbG8' },
  { cover: 'a-_b' },
  { cover: 'a' },
  { price: 1.5 },
  { price: 'NaN' },
  { price: '-Infinity' },
  { price: ' 2.5e3 ' },
  { price: '0x1F' },
  { price: 'abc' },
  { price: '' },
  { price: true },
  { tags: ['a', 'b'] },
  { tags: ['a', null] },
  { tags: 'a' },
  { ratings: { a: 1 } },
  { ratings: { a: '2' } },
  { ratings: { a: null } },
  { ratings: [] },
  { isbn: 'x', url: 'y' },
  { isbn: 'x', url: null },
  { isbn: 'x' },
  { stock: 3 },
  { stock: 2 ** 31 },
  { label: 'a' },
  { shelf_label: 'a' },
  { shelfLabel: 'a' },
  { label: 'a', shelf_label: 'b' },
  { publishedAt: '2017-01-15T01:30:15.01Z' },
  { publishedAt: '2017-01-15t01:30:15+05:30' },
  { publishedAt: '2017-01-15' },
  { readTime: '1.5s' },
  { readTime: '-3s' },
  { readTime: '3' },
  { subtitle: 'x' },
  { subtitle: 3 },
  { edition: 3 },
  { edition: '3' },
  { edition: 'three' },
  { extra: null },
  { extra: { any: ['json', 1, null] } },
  { history: [1, 'a', null, {}] },
  { history: {} },
  { attachment: { '@type': 'type.googleapis.com/bookstore.v1.Page', size: 3 } },
  { attachment: { size: 3 } },
  { unknown: 1 },
  [],
  'book',
  null,
];

describe('messageJsonSchema: input (what the transcoder accepts)', () => {
  const valid = validator(Book, 'input');

  it.each(BOOK_BODIES.map((body) => [JSON.stringify(body), body]))(
    'agrees with fromProtoJson on Book %s',
    (_, body) => {
      expect(valid(body)).toBe(transcoderAccepts(Book, body));
    },
  );

  it('agrees on requests with maps of non-string keys, nested messages, oneofs and masks', () => {
    const listValid = validator(ListBooksRequest, 'input');
    const lists: unknown[] = [
      { filter: { a: 'b' } },
      { page: { size: 3, token: 't' }, ids: ['1', 2] },
      { page: { size: 'big' } },
      { after: 'a', before: 'b' },
      { after: 'a', before: null },
      { include_drafts: true, includeDrafts: false },
      { since: '2017-01-15T01:30:15Z' },
    ];
    for (const body of lists)
      expect([body, listValid(body)]).toEqual([body, transcoderAccepts(ListBooksRequest, body)]);
    const updateValid = validator(UpdateBookRequest, 'input');
    for (const body of [
      { updateMask: 'a.b,pageCount' },
      { updateMask: '' },
      { updateMask: 'a,' },
      { updateMask: 'a_b' },
    ]) {
      expect([body, updateValid(body)]).toEqual([body, transcoderAccepts(UpdateBookRequest, body)]);
    }
    const emptyValid = validator(Empty, 'input');
    for (const body of [{}, { a: 1 }])
      expect(emptyValid(body)).toBe(transcoderAccepts(Empty, body));
  });

  it('agrees that a field given by both its names is refused, null or not, in either order', () => {
    for (const body of [
      { page_count: null, pageCount: 7 },
      { pageCount: 7, page_count: null },
      { pageCount: null, page_count: null },
    ]) {
      expect([body, transcoderAccepts(Book, body)]).toEqual([body, false]);
      expect([body, valid(body)]).toEqual([body, false]);
    }
  });

  it('names each field by its JSON name and its .proto name, and each message once in $defs', () => {
    const schema = messageJsonSchema(Book) as {
      $ref: string;
      $defs: Record<string, { properties: Record<string, unknown> }>;
    };
    expect(schema.$ref).toBe('#/$defs/bookstore.v1.Book');
    expect(Object.keys(schema.$defs)).toEqual(['bookstore.v1.Book']);
    const names = Object.keys(schema.$defs['bookstore.v1.Book'].properties);
    expect(names).toEqual(
      expect.arrayContaining(['pageCount', 'page_count', 'label', 'shelf_label']),
    );
    expect(names).not.toContain('shelfLabel');
    expect(schema.$defs['bookstore.v1.Book'].properties.genre).toEqual({
      anyOf: [
        { type: 'string', enum: ['GENRE_UNSPECIFIED', 'FICTION', 'HISTORY'] },
        { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
        { type: 'null' },
      ],
    });
  });
});

describe('messageJsonSchema: output (what the transcoder produces)', () => {
  const valid = validator(Book, 'output');

  it('holds for every reply the transcoder writes, and names fields in lowerCamelCase only', () => {
    const accepted = BOOK_BODIES.filter((body) => transcoderAccepts(Book, body));
    expect(accepted.length).toBeGreaterThan(30);
    for (const body of accepted) {
      const reply = toProtoJson(Book, Book.fromObject(fromProtoJson(Book, body)));
      expect([reply, valid(reply), valid.errors]).toEqual([reply, true, null]);
    }
    const schema = messageJsonSchema(Book, 'output') as {
      $defs: Record<string, { properties: Record<string, unknown> }>;
    };
    const book = schema.$defs['bookstore.v1.Book'].properties;
    expect(Object.keys(book)).not.toContain('page_count');
    expect(book.pageCount).toEqual({ type: 'string', pattern: '^(?:0|-?[1-9][0-9]*)$' });
  });

  it('refuses what the transcoder never writes: .proto names, 64-bit numbers, unknown fields', () => {
    expect(valid({ page_count: '1' })).toBe(false);
    expect(valid({ pageCount: 1 })).toBe(false);
    expect(valid({ publishedAt: '2017-01-15T01:30:15+05:30' })).toBe(false);
    expect(valid({ other: 1 })).toBe(false);
  });
});

describe('messageJsonSchema: recursive messages', () => {
  const tree = Root.fromJSON({
    nested: {
      t: {
        nested: {
          Node: {
            fields: {
              label: { type: 'string', id: 1 },
              child: { type: 'Node', id: 2 },
              children: { rule: 'repeated', type: 'Node', id: 3 },
            },
          },
        },
      },
    },
  });
  tree.resolveAll();
  const Node = tree.lookupType('t.Node');

  it('refers to a message from inside itself, and validates deep documents', () => {
    const schema = messageJsonSchema(Node, 'input') as { $defs: Record<string, unknown> };
    expect(Object.keys(schema.$defs)).toEqual(['t.Node']);
    expect(JSON.stringify(schema.$defs['t.Node'])).toContain('"$ref":"#/$defs/t.Node"');
    const valid = ajv.compile(schema);
    const deep = { label: 'a', child: { children: [{ label: 'b', child: { label: 'c' } }] } };
    expect(valid(deep)).toBe(true);
    expect(transcoderAccepts(Node, deep)).toBe(true);
    const wrong = { child: { children: [{ child: { label: 3 } }] } };
    expect(valid(wrong)).toBe(false);
    expect(transcoderAccepts(Node, wrong)).toBe(false);
  });
});

describe('patterns', () => {
  it('spell digits [0-9]: validators in other languages may read \\d as any Unicode digit', () => {
    for (const io of ['input', 'output'] as const) {
      for (const type of [Book, ListBooksRequest, UpdateBookRequest]) {
        expect(JSON.stringify(messageJsonSchema(type, io))).not.toContain('\\\\d');
      }
    }
  });
});

describe('decimalRangePattern', () => {
  it('takes exactly the decimal strings the integer types take', () => {
    const samples = (max: bigint) => {
      const around = [0n, 1n, 9n, 10n, max / 2n, max - 1n, max, max + 1n, max * 10n];
      return [...around, ...around.map((n) => -n), -max - 1n, -max - 2n].map(String);
    };
    for (const [type, range] of Object.entries(INT_RANGES)) {
      const pattern = new RegExp(decimalRangePattern(range.min, range.max));
      for (const text of [...samples(range.max), '007', '-0', '-00', '0000', '-007', '']) {
        let takes = true;
        try {
          scalarFromJson(type, text, 'x');
        } catch {
          takes = false;
        }
        expect([type, text, pattern.test(text)]).toEqual([type, text, takes]);
      }
    }
  });
});
