import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHttpRules } from './load-http-rules';
import { loadProtoRoot } from './load-proto-root';
import { readHttpRules } from './read-http-rules';
import { loadTestProto } from './test-protos.fixture';
import { HttpRuleError } from './transcoding-error';

const S = '/bookstore.v1.Bookstore';
const USERVERIFY_PROTO = join(__dirname, '../../../proto/userverify.proto');

describe('readHttpRules', () => {
  const { bindings, refused } = loadTestProto('bookstore.proto');
  const summary = bindings.map((b) => ({
    grpc: b.grpcPath,
    http: `${b.httpMethod} ${b.template.source}`,
    verb: b.verb,
    body: b.body,
    responseBody: b.responseBody,
    serverStreaming: b.serverStreaming,
  }));

  it('gives every binding of every annotated unary method, additional ones included', () => {
    const row = (grpc: string, http: string, verb: string, extra: object = {}) => ({
      grpc: `${S}/${grpc}`,
      http,
      verb,
      body: undefined,
      responseBody: undefined,
      serverStreaming: false,
      ...extra,
    });
    expect(summary).toEqual([
      row('GetShelf', 'GET /v1/shelves/{shelf}', 'get'),
      row('ListBooks', 'GET /v1/shelves/{shelf}/books', 'get', { responseBody: 'books' }),
      row('GetBook', 'GET /v1/{name=shelves/*/books/*}', 'get'),
      row('GetBook', 'GET /v1/books/{name=**}', 'get'),
      row('CreateBook', 'POST /v1/shelves/{shelf}/books', 'post', { body: 'book' }),
      row('UpdateBook', 'PATCH /v1/{book.name=shelves/*/books/*}', 'patch', { body: 'book' }),
      row('CreateShelf', 'POST /v1/shelves', 'post', { body: '*' }),
      row('CreateShelf', 'PUT /v1/shelves/{id}', 'put', { body: '*' }),
      row('ArchiveShelf', 'POST /v1/shelves/{shelf}:archive', 'post', { body: '*' }),
      row('DeleteBook', 'DELETE /v1/{name=shelves/*/books/*}', 'delete'),
      row('DeleteBook', 'PURGE /v1/{name=shelves/*/books/*}', 'custom'),
      row('WatchShelf', 'GET /v1/shelves/{shelf}:watch', 'get', { serverStreaming: true }),
    ]);
  });

  it('gives nothing for a method without the annotation', () => {
    expect(bindings.some((b) => b.method === 'Unmapped')).toBe(false);
    expect(refused.some((r) => r.grpcPath.endsWith('/Unmapped'))).toBe(false);
  });

  it('refuses client- and bidi-streaming methods with the reason', () => {
    expect(refused).toEqual([
      {
        grpcPath: `${S}/UploadBooks`,
        reason: 'client-streaming methods cannot be mapped to one HTTP request',
      },
      {
        grpcPath: `${S}/Chat`,
        reason: 'bidi-streaming methods cannot be mapped to one HTTP request',
      },
    ]);
  });

  it('carries the request and reply types for encoding', () => {
    const b = bindings.find((x) => x.method === 'CreateBook');
    expect(b?.requestType.fullName).toBe('.bookstore.v1.CreateBookRequest');
    expect(b?.responseType.fullName).toBe('.bookstore.v1.Book');
  });

  it("reads rpc-app-1's rule from proto/userverify.proto: VerifyUser is POST /verify with the whole body", () => {
    const seed = loadHttpRules({ files: [USERVERIFY_PROTO] });
    expect(seed.refused).toEqual([]);
    expect(seed.bindings).toHaveLength(1);
    const [b] = seed.bindings;
    expect([b.grpcPath, b.httpMethod, b.template.source, b.body]).toEqual([
      '/userverify.UserVerify/VerifyUser',
      'POST',
      '/verify',
      '*',
    ]);
  });

  it('rejects a malformed template naming the method and the template', () => {
    expect(() => loadTestProto('bad-template.proto')).toThrow(HttpRuleError);
    expect(() => loadTestProto('bad-template.proto')).toThrow(
      '/bad.Broken/Get: malformed path template "/v1/{name=shelves/**/books}": "**" must be the last segment',
    );
  });

  it.each([
    ['get: "/v1/{nope}"', 'path variable "nope" names no field of Req'],
    ['get: "/v1/{tags}"', 'path variable "tags" cannot bind a repeated or map field'],
    ['get: "/v1/{inner}"', 'path variable "inner" names a message; bind one of its fields'],
    ['get: "/v1/{name.x}"', 'path variable "name.x" steps through "name", which is not a message'],
    ['post: "/v1" body: "nope"', 'body "nope" is not a top-level field of Req'],
    ['get: "/v1" response_body: "nope"', 'response_body "nope" is not a top-level field of Req'],
    ['body: "*"', 'an http rule needs exactly one of get, put, post, delete, patch or custom'],
    [
      'get: "/a" post: "/b"',
      'an http rule needs exactly one of get, put, post, delete, patch or custom',
    ],
    [
      'get: "/a" additional_bindings { get: "/b" additional_bindings { get: "/c" } }',
      'additional_bindings cannot nest',
    ],
  ])('rejects { %s }: %s', (rule, why) => {
    const dir = writeProto(`
      syntax = "proto3";
      package p;
      import "google/api/annotations.proto";
      service S { rpc M (Req) returns (Req) { option (google.api.http) = { ${rule} }; } }
      message Inner { string a = 1; }
      message Req { string name = 1; repeated string tags = 2; Inner inner = 3; }`);
    expect(() => readHttpRules(loadProtoRoot({ files: [dir] }))).toThrow(`/p.S/M: ${why}`);
  });

  it('finds google/api/annotations.proto without an include directory', () => {
    const root = loadProtoRoot({ files: [USERVERIFY_PROTO] });
    expect(readHttpRules(root).bindings).toHaveLength(1);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'transcoding-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let written = 0;

function writeProto(text: string): string {
  const file = join(tmp, `p${++written}.proto`);
  writeFileSync(file, text);
  return file;
}
