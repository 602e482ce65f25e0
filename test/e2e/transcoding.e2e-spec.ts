import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AppProcess, LOCAL_PORTS, randomLoopbackNet } from '../../process-topology/index.ts';
import { type Bookstore, BOOKSTORE_PROTO, startBookstore } from '../support/bookstore.ts';

// Routes from google.api.http annotations (docs/adr/0008-route-model.md): a real gateway, given
// only a route file whose gRPC upstream sets httpRulesFromProtos, serves every binding of the
// Bookstore test service (libs/transcoding/test-protos) as its rule says, against a real grpc-js
// server started here - nothing in the file lists a method.
type Json = Record<string, unknown>;

describe('gRPC-JSON transcoding of annotated methods, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'transcoding-e2e-'));
  let bookstore: Bookstore;
  let gateway: AppProcess;
  let base: string;

  beforeAll(async () => {
    bookstore = await startBookstore();
    const routesFile = join(dir, 'routes.yaml');
    writeFileSync(
      routesFile,
      stringify({
        formatVersion: 1,
        upstreams: {
          shop: {
            kind: 'grpc',
            target: `ipv4:127.0.0.1:${bookstore.port}`,
            protos: [BOOKSTORE_PROTO],
            httpRulesFromProtos: true,
          },
        },
        // A route of the file beside the generated ones: to a server-streaming method, which
        // HTTP cannot carry (a 501, not a broken call).
        routes: [
          {
            name: 'watch',
            match: { methods: ['GET'], path: { exact: '/watch' } },
            upstream: 'shop',
            grpc: { service: 'bookstore.v1.Bookstore', method: 'WatchShelf' },
          },
        ],
      }),
    );
    gateway = new AppProcess({
      app: 'gateway',
      name: 'gateway#1',
      host: `${randomLoopbackNet()}.31`,
      ...LOCAL_PORTS.gateway,
      env: { ROUTES_FILE: routesFile, RATE_LIMIT_LIMIT: '1000000' },
    });
    gateway.start();
    await gateway.waitReady();
    base = `http://${gateway.address}`;
  });

  afterAll(async () => {
    await gateway?.stop();
    await bookstore?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  it('GET with a path variable: int64 as a string, the enum by name, the Timestamp in RFC 3339', async () => {
    expect(await call('GET', '/v1/shelves/9007199254740993')).toEqual({
      status: 200,
      body: {
        id: '9007199254740993',
        theme: 'history',
        genre: 'HISTORY',
        createdAt: '2023-11-14T22:13:20.500Z',
      },
    });
  });

  it('GET with query fields - repeated, enum, nested, bool, int64 - and response_body', async () => {
    const query =
      'tags=a&tags=b&genre=FICTION&page.size=5&page.token=t&includeDrafts=true&ids=1&ids=9007199254740993';
    const { status, body } = await call('GET', `/v1/shelves/3/books?${query}`);
    expect(status).toBe(200);
    // response_body "books": the answer is the list itself, without next_page_token.
    expect(body).toEqual([
      { name: 'shelves/3/books/1', author: expect.any(String), pageCount: '9007199254740993' },
    ]);
    expect(JSON.parse((body as Json[])[0].author as string)).toEqual({
      tags: ['a', 'b'],
      genre: 'FICTION',
      page: { size: 5, token: 't' },
      include_drafts: true,
      ids: ['1', '9007199254740993'],
    });
  });

  it('a multi-segment variable, and the same method by its additional binding with **', async () => {
    expect(await call('GET', '/v1/shelves/3/books/7')).toEqual({
      status: 200,
      body: { name: 'shelves/3/books/7', author: 'Anon' },
    });
    expect(await call('GET', '/v1/books/shelves/3/books/7')).toEqual({
      status: 200,
      body: { name: 'shelves/3/books/7', author: 'Anon' },
    });
  });

  it('POST with body "book": the body is that field, the shelf comes from the path', async () => {
    const book = {
      author: 'Le Guin',
      pageCount: '1234567890123',
      genre: 'FICTION',
      publishedAt: '1969-03-01T00:00:00Z',
    };
    expect(await call('POST', '/v1/shelves/3/books', book)).toEqual({
      status: 200,
      body: { ...book, name: 'shelves/3/books/new' },
    });
  });

  it('PATCH with body "book" and the nested path variable book.name', async () => {
    expect(await call('PATCH', '/v1/shelves/3/books/7', { author: 'New' })).toEqual({
      status: 200,
      body: { name: 'shelves/3/books/7', author: 'New' },
    });
  });

  it('POST and its additional PUT binding with body "*": the body is the message', async () => {
    expect(await call('POST', '/v1/shelves', { id: '5', theme: 'sea', genre: 'HISTORY' })).toEqual({
      status: 200,
      body: { id: '5', theme: 'sea', genre: 'HISTORY', createdAt: '2023-11-14T22:13:20.500Z' },
    });
    expect(await call('PUT', '/v1/shelves/6', { theme: 'sky' })).toEqual({
      status: 200,
      body: { id: '6', theme: 'sky', createdAt: '2023-11-14T22:13:20.500Z' },
    });
  });

  it('a custom verb, and DELETE: an empty reply is {}', async () => {
    expect(await call('POST', '/v1/shelves/3:archive', { retention: '3600s' })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('DELETE', '/v1/shelves/3/books/7')).toEqual({ status: 200, body: {} });
  });

  it('an unknown JSON field is a 400 naming it', async () => {
    const { status, body } = await call('POST', '/v1/shelves', { theme: 'x', colour: 'red' });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      statusCode: 400,
      field: 'colour',
      message: expect.stringContaining('colour'),
    });
  });

  it('a value of the wrong type is a 400 naming its field, in the body, the query or the path', async () => {
    const inBody = await call('POST', '/v1/shelves', { id: 'many' });
    expect(inBody.status).toBe(400);
    expect(inBody.body).toMatchObject({ field: 'id' });
    const inQuery = await call('GET', '/v1/shelves/3/books?genre=POETRY');
    expect(inQuery.status).toBe(400);
    expect(inQuery.body).toMatchObject({ field: 'genre' });
    const inPath = await call('GET', '/v1/shelves/three');
    expect(inPath.status).toBe(400);
    expect(inPath.body).toMatchObject({ field: 'shelf' });
  });

  it("gRPC NOT_FOUND is a 404, as the upstream's status table says", async () => {
    const { status, body } = await call('GET', '/v1/shelves/404');
    expect(status).toBe(404);
    expect(body).toMatchObject({ statusCode: 404 });
  });

  it('a path no binding takes is a 404; a method no binding takes on a bound path is a 405', async () => {
    expect((await call('GET', '/v1/shelves/3/boxes/7')).status).toBe(404);
    const wrongMethod = await call('PATCH', '/v1/shelves');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toMatchObject({ message: expect.stringMatching(/use POST$/) });
    // DeleteBook's custom PURGE binding gets no route (a method outside the model).
    const purge = await call('PURGE', '/v1/shelves/3/books/7');
    expect(purge.status).toBe(405);
    expect(purge.body).toMatchObject({
      message: expect.stringMatching(/^method PURGE is not allowed/),
    });
    // WatchShelf streams: its `:watch` path is no route of its own, so GetShelf's template takes
    // it and the shelf "3:watch" is no int64.
    expect(await call('GET', '/v1/shelves/3:watch')).toMatchObject({
      status: 400,
      body: { field: 'shelf' },
    });
  });

  it('a server-streaming method reached by a route of the file is a 501 JSON answer', async () => {
    expect(await call('GET', '/watch')).toEqual({
      status: 501,
      body: expect.objectContaining({
        statusCode: 501,
        message:
          '/bookstore.v1.Bookstore/WatchShelf is a server-streaming method: not served over HTTP',
      }),
    });
    expect(bookstore.requestIds.WatchShelf).toBeUndefined();
  });

  it('the request id reaches the server as metadata', async () => {
    await call('GET', '/v1/books/x', undefined, { 'x-request-id': 'transcoding-e2e-1' });
    expect(bookstore.requestIds.GetBook).toContain('transcoding-e2e-1');
  });
});
