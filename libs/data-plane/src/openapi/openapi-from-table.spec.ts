import { gatewayEnv } from '@app/config';
import { protoPath, USERVERIFY } from '@app/contracts';
import { loadConfig } from '@app/env';
import { defaultRouteTable, type Route, type RouteTable } from '@app/routes';
import { fromProtoJson, loadHttpRules, loadProtoRoot, mapResponse } from '@app/transcoding';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Root, type Type } from 'protobufjs';
import { bodyPointer, openApiProblems, schemaAt } from './openapi-checks.fixture';
import { openApiDocument } from '@app/edge';
import { openApiFromTable } from './openapi-from-table';
import type { GrpcOperationShape } from './openapi-grpc-operation';

const REPO = join(__dirname, '../../../..');

type Operation = {
  operationId: string;
  security: unknown;
  parameters?: { name: string; in: string; required?: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: unknown }>;
  [key: string]: unknown;
};
type Doc = {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: unknown };
  [key: string]: unknown;
};

const accepts = (type: Type, json: unknown) => {
  try {
    fromProtoJson(type, json);
    return true;
  } catch {
    return false;
  }
};

describe('openApiFromTable: the seed table', () => {
  const config = loadConfig(gatewayEnv, {});
  const table = defaultRouteTable(config);
  const verifyProto = loadProtoRoot({ files: [protoPath(USERVERIFY.protoFile)] });
  const VerifyRequest = verifyProto.lookupType('userverify.VerifyRequest');
  const grpc = (route: Route): GrpcOperationShape | undefined =>
    route.grpc?.method === 'VerifyUser'
      ? {
          requestType: VerifyRequest,
          responseType: verifyProto.lookupType('userverify.VerifyReply'),
          body: '*',
          responseBody: undefined,
        }
      : undefined;
  const generated = openApiFromTable(table, grpc) as Doc;
  const today = openApiDocument({ defaultScheme: 'none', routes: [] }) as unknown as Doc;

  it('is what the gateway serves by default: docs/openapi.json', () => {
    expect(generated).toEqual(JSON.parse(readFileSync(join(REPO, 'docs/openapi.json'), 'utf8')));
  });

  it('is a sound OpenAPI 3.1 document', () => {
    expect(openApiProblems(generated)).toEqual([]);
    // A hash of the contract: the same for a table that differs only where clients cannot see.
    expect(generated.info.version).toMatch(/^[0-9a-f]{16}$/);
    const elsewhere = defaultRouteTable(
      loadConfig(gatewayEnv, { WEBAPP_URL: 'http://other:5000' }),
    );
    expect(elsewhere.version).not.toBe(table.version);
    expect((openApiFromTable(elsewhere, grpc) as Doc).info.version).toBe(generated.info.version);
  });

  it("keeps today's paths, methods, security, error body and schemes; operations named by route", () => {
    expect(Object.keys(generated.paths)).toEqual(Object.keys(today.paths));
    for (const path of Object.keys(today.paths)) {
      expect(Object.keys(generated.paths[path])).toEqual(Object.keys(today.paths[path]));
    }
    expect(generated.paths['/projects'].post.operationId).toBe('projects');
    expect(generated.paths['/verify'].post.operationId).toBe('verify');
    expect(generated.paths['/verify'].post.security).toEqual(today.paths['/verify'].post.security);
    expect(generated.components.schemas.Error).toEqual(today.components.schemas.Error);
    expect(generated.components.securitySchemes).toEqual(today.components.securitySchemes);
  });

  it("keeps today's error responses, adding what a table route can also answer", () => {
    const codes = (doc: Doc, path: string) => Object.keys(doc.paths[path].post.responses);
    // An HTTP route passes its upstream's answers on: any success, any other status.
    expect(codes(generated, '/projects').sort()).toEqual(
      [...codes(today, '/projects').filter((c) => c !== '200'), '2XX', 'default'].sort(),
    );
    // A gRPC route's upstream statuses map to HTTP ones (libs/upstream/src/grpc-http-status.ts).
    expect(codes(generated, '/verify').sort()).toEqual(
      [...codes(today, '/verify'), '401', '403', '404', '409', '501'].sort(),
    );
    for (const code of ['408', '415', '502', '503', '504']) {
      expect(generated.paths['/verify'].post.responses[code]).toEqual(
        today.paths['/verify'].post.responses[code],
      );
    }
    expect(generated.paths['/projects'].post.responses['413'].description).toBe(
      `the body is larger than ${config.HTTP_BODY_LIMIT_BYTES} bytes`,
    );
  });

  it("describes /verify's body and reply by VerifyRequest and VerifyReply", () => {
    const body = schemaAt(generated, bodyPointer('/verify', 'post', 'request'));
    const reply = schemaAt(generated, bodyPointer('/verify', 'post', '200'));
    // Whatever today's contract calls valid, the message takes.
    for (const json of [
      { id: 1, token: 'a' },
      { id: 2147483647, token: 'x'.repeat(50) },
    ]) {
      expect(body(json)).toBe(true);
    }
    for (const json of [{ id: 'x' }, { id: 1, extra: 1 }, { token: 5 }, [], { id: 2 ** 31 }]) {
      expect([json, body(json)]).toEqual([json, accepts(VerifyRequest, json)]);
    }
    expect(reply({ message: 'ok' })).toBe(true);
    expect(reply({ message: 3 })).toBe(false);
    expect(generated.components.schemas).toHaveProperty(['userverify.VerifyRequest.input']);
    expect(generated.components.schemas).toHaveProperty(['userverify.VerifyReply.output']);
  });

  it('takes a route bodySchema, and a gRPC body must satisfy it and the message', () => {
    const projects: Route = {
      ...table.routes[0],
      bodySchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['title'],
      },
    };
    const verify: Route = { ...table.routes[1], bodySchema: { required: ['token'] } };
    const doc = openApiFromTable({ ...table, routes: [projects, verify] }, grpc) as Doc;
    expect(openApiProblems(doc)).toEqual([]);
    expect(doc.paths['/projects'].post.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: ['title'] } } },
    });
    const body = schemaAt(doc, bodyPointer('/verify', 'post', 'request'));
    expect(body({ id: 1, token: 't' })).toBe(true);
    expect(body({ id: 1 })).toBe(false);
    expect(body({ token: 't', other: 1 })).toBe(false);
  });
});

// A hand-made table over the bookstore test service: every binding kind, and HTTP routes of every
// path kind.
describe('openApiFromTable: gRPC bindings and HTTP routes', () => {
  const protos = join(REPO, 'libs/transcoding/test-protos');
  const { root, bindings } = loadHttpRules({ files: ['bookstore.proto'], includeDirs: [protos] });
  const binding = (method: string) => {
    const found = bindings.find((b) => b.method === method);
    if (!found) throw new Error(method);
    return found;
  };
  const base: Route = {
    name: 'x',
    order: 0,
    match: {
      methods: ['GET'],
      path: { kind: 'exact', path: '/', trailingSlash: 'ignore' },
      hosts: [],
      headers: [],
      query: [],
    },
    upstream: 'bookstore',
    grpc: null,
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: true, maxAttempts: 1, perTryTimeoutMs: 900 },
    bodyLimitBytes: 1024,
    bodySchema: null,
  };
  const template = (path: string) => ({
    kind: 'template' as const,
    path,
    variables: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
  });
  const grpcRoute = (
    name: string,
    method: string,
    methods: Route['match']['methods'],
    path: string,
  ): Route => ({
    ...base,
    name,
    match: { methods, path: template(path), hosts: [], headers: [], query: [] },
    grpc: { service: 'bookstore.v1.Bookstore', method },
  });
  const routes: Route[] = [
    grpcRoute('create-book', 'CreateBook', ['POST'], '/v1/shelves/{shelf}/books'),
    {
      ...grpcRoute('create-shelf', 'CreateShelf', ['PUT'], '/v1/shelves/{id}'),
      auth: { scheme: 'jwt', scopes: ['shelves.write'] },
    },
    // Other names for the same paths: OpenAPI has one name per path, the first route's.
    grpcRoute('get-shelf', 'GetShelf', ['GET'], '/v1/shelves/{shelf}'),
    grpcRoute('list-books', 'ListBooks', ['GET'], '/v1/shelves/{shelf}/books'),
    {
      ...base,
      name: 'orders',
      match: {
        methods: ['GET', 'POST'],
        path: template('/orders/{id}'),
        hosts: [],
        headers: [],
        query: [],
      },
      auth: { scheme: 'api-key', scopes: [] },
    },
    {
      ...base,
      name: 'static',
      match: {
        methods: ['GET', 'HEAD'],
        path: { kind: 'prefix', path: '/static' },
        hosts: [],
        headers: [],
        query: [],
      },
    },
    {
      ...base,
      name: 'static-b',
      match: {
        methods: ['GET'],
        path: { kind: 'prefix', path: '/static' },
        hosts: ['b.example.com'],
        headers: [],
        query: [],
      },
    },
    grpcRoute('unknown', 'Missing', ['POST'], '/v1/things/{thing}'),
    {
      ...base,
      name: 'with-defs',
      match: {
        methods: ['POST'],
        path: { kind: 'exact', path: '/defs', trailingSlash: 'ignore' },
        hosts: [],
        headers: [],
        query: [],
      },
      bodySchema: { $ref: '#/$defs/item', $defs: { item: { type: 'object', required: ['a'] } } },
    },
  ];
  const table: RouteTable = { upstreams: [], routes, version: 'v-test' };
  const shapes: Record<string, GrpcOperationShape> = {
    'create-book': binding('CreateBook'),
    'create-shelf': binding('CreateShelf'),
    'get-shelf': binding('GetShelf'),
    'list-books': binding('ListBooks'),
  };
  const doc = openApiFromTable(table, (route) => shapes[route.name]) as Doc;
  const paramsOf = (op: Operation) => (op.parameters ?? []).map((p) => `${p.in} ${p.name}`);

  it('is a sound OpenAPI 3.1 document', () => {
    expect(openApiProblems(doc)).toEqual([]);
  });

  it('the checks can fail: a missing path parameter, a dangling $ref, a duplicate operationId', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as Doc;
    broken.paths['/v1/shelves/{id}'].get.parameters = [];
    broken.paths['/orders/{id}'].get.operationId = 'create-book';
    (broken.components.schemas as Record<string, unknown>)['bookstore.v1.Shelf.output'] = undefined;
    expect(openApiProblems(broken)).toEqual([
      "get /v1/shelves/{id}: path parameters  are not the template's id",
      'get /orders/{id}: operationId create-book not unique',
      '#/components/schemas/bookstore.v1.Shelf.output: does not resolve',
    ]);
  });

  it('no body: path variables and every other field as query parameters (dotted, JSON names)', () => {
    // GetShelf's {shelf}, under the name of the PUT route that came first: the same segment.
    const get = doc.paths['/v1/shelves/{id}'].get;
    expect(paramsOf(get)).toEqual(['path id']);
    // Text: an int64 as decimal digits within its range (`integer` would also allow "1.0").
    const id = get.parameters?.[0].schema as { type: string; pattern: string };
    expect(id.type).toBe('string');
    for (const [text, valid] of [
      ['9223372036854775807', true],
      ['-9223372036854775808', true],
      ['9223372036854775808', false],
      ['1.0', false],
    ] as const)
      expect([text, new RegExp(id.pattern).test(text)]).toEqual([text, valid]);
    expect(get.requestBody).toBeUndefined();
    const list = doc.paths['/v1/shelves/{shelf}/books'].get;
    expect(paramsOf(list)).toEqual([
      'path shelf',
      'query tags',
      'query genre',
      'query page.size',
      'query page.token',
      'query since',
      'query includeDrafts',
      'query ids',
      'query after',
      'query before',
    ]);
    expect(list.parameters?.find((p) => p.name === 'tags')).toMatchObject({
      style: 'form',
      explode: true,
      schema: { type: 'array', items: { type: 'string' } },
    });
  });

  it('response_body: the reply is that field, as mapResponse writes it', () => {
    const reply = schemaAt(doc, bodyPointer('/v1/shelves/{shelf}/books', 'get', '200'));
    const ListBooksResponse = root.lookupType('bookstore.v1.ListBooksResponse');
    const written = mapResponse(binding('ListBooks'), {
      books: [{ name: 'a', page_count: 3, genre: 2, ratings: { x: 1 } }, {}],
    });
    expect(reply(written)).toBe(true);
    expect(reply({ books: [] })).toBe(false);
    expect(ListBooksResponse.fields.books.repeated).toBe(true);
  });

  it('body "field": the body is that field, the others are path or query', () => {
    const op = doc.paths['/v1/shelves/{shelf}/books'].post;
    expect(paramsOf(op)).toEqual(['path shelf']);
    expect(op.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/bookstore.v1.Book.input',
    });
    const body = schemaAt(doc, bodyPointer('/v1/shelves/{shelf}/books', 'post', 'request'));
    const Book = root.lookupType('bookstore.v1.Book');
    for (const json of [
      { name: 'a', page_count: '3' },
      { pageCount: 'x' },
      { isbn: 'a', url: 'b' },
    ]) {
      expect([json, body(json)]).toEqual([json, accepts(Book, json)]);
    }
  });

  it('body "*": the whole message, no query parameters; security from the route', () => {
    const op = doc.paths['/v1/shelves/{id}'].put;
    expect(paramsOf(op)).toEqual(['path id']);
    expect(op.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/bookstore.v1.Shelf.input',
    });
    expect(op.security).toEqual([{ jwt: ['shelves.write'] }]);
    expect(op.responses['403'].description).toMatch(/shelves\.write/);
  });

  it('HTTP routes: one operation per method, path variables as strings, no body on GET', () => {
    const orders = doc.paths['/orders/{id}'];
    expect(orders.get.operationId).toBe('orders.GET');
    expect(orders.post.operationId).toBe('orders.POST');
    expect(orders.get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(orders.get.requestBody).toBeUndefined();
    expect(orders.post.requestBody).toMatchObject({
      required: false,
      content: { 'application/json': { schema: {} } },
    });
    expect(orders.get.security).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
    expect(Object.keys(orders.get.responses)).toEqual(
      expect.arrayContaining(['2XX', 'default', '401']),
    );
  });

  it('a prefix route is its prefix, marked; a host-only twin is listed as not documented', () => {
    const get = doc.paths['/static'].get;
    expect(get).toMatchObject({ operationId: 'static.GET', 'x-gateway-path-match': 'prefix' });
    expect(get.description).toMatch(/every path below \/static/);
    expect(doc['x-gateway-not-listed']).toEqual([
      {
        route: 'static-b',
        method: 'GET',
        path: '/static',
        reason: 'route static has the same method and OpenAPI path',
      },
    ]);
  });

  it('a gRPC route whose messages are unknown is still listed, without schemas', () => {
    const op = doc.paths['/v1/things/{thing}'].post;
    expect(op.description).toMatch(/not known/);
    expect(op.responses['200']).toEqual({ description: 'success', headers: expect.any(Object) });
  });

  it('a bodySchema that refers inside itself becomes a component, its $refs re-pointed', () => {
    expect(doc.paths['/defs'].post.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/with-defs.body',
    });
    const body = schemaAt(doc, bodyPointer('/defs', 'post', 'request'));
    expect(body({ a: 1 })).toBe(true);
    expect(body({ b: 1 })).toBe(false);
  });
});

describe('openApiFromTable: recursive messages', () => {
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
  const route: Route = {
    name: 'tree',
    order: 0,
    match: {
      methods: ['GET'],
      path: { kind: 'exact', path: '/tree', trailingSlash: 'ignore' },
      hosts: [],
      headers: [],
      query: [],
    },
    upstream: 'trees',
    grpc: { service: 't.Trees', method: 'Get' },
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: true, maxAttempts: 1, perTryTimeoutMs: 900 },
    bodyLimitBytes: 1024,
    bodySchema: null,
  };
  const doc = openApiFromTable({ upstreams: [], routes: [route], version: 'v' }, () => ({
    requestType: Node,
    responseType: Node,
    body: undefined,
    responseBody: undefined,
  })) as Doc;

  it('defines each message once and stops query parameters where the type recurs', () => {
    expect(openApiProblems(doc)).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(['Error', 't.Node.output']);
    expect((doc.paths['/tree'].get.parameters ?? []).map((p) => p.name)).toEqual(['label']);
    const reply = schemaAt(doc, bodyPointer('/tree', 'get', '200'));
    expect(reply({ child: { children: [{ label: 'a', child: {} }] } })).toBe(true);
    expect(reply({ child: { children: [{ label: 1 }] } })).toBe(false);
  });
});

describe('openApiFromTable: redirect routes', () => {
  const redirectRoute: Route = {
    name: 'moved',
    order: 0,
    match: {
      methods: ['GET', 'POST'],
      path: { kind: 'prefix', path: '/old' },
      hosts: [],
      headers: [],
      query: [],
    },
    upstream: null,
    grpc: null,
    redirect: {
      scheme: 'https',
      hostname: 'new.example.com',
      port: null,
      path: { kind: 'prefix', prefix: '/new' },
      statusCode: 301,
    },
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: false, maxAttempts: 1, perTryTimeoutMs: 1000 },
    bodyLimitBytes: 1024,
    bodySchema: null,
  };
  const table: RouteTable = { upstreams: [], routes: [redirectRoute], version: 'test' };
  const doc = openApiFromTable(table, () => undefined) as Doc;

  it('documents its status with a Location, and no answer of an upstream', () => {
    expect(openApiProblems(doc)).toEqual([]);
    const get = doc.paths['/old'].get;
    expect(get.summary).toBe('moved (redirect)');
    expect(get.responses['301']).toEqual({
      description:
        "redirect, answered by the gateway: the request's URL with scheme https, host new.example.com, the matched prefix replaced by /new",
      headers: {
        Location: { description: 'where the request goes instead', schema: { type: 'string' } },
      },
    });
    for (const code of ['2XX', '502', '503', '504', 'default'])
      expect(get.responses).not.toHaveProperty(code);
  });
});

describe('openApiFromTable: respond routes and routes shared by weight', () => {
  const base: Omit<Route, 'name' | 'upstream'> = {
    order: 0,
    match: {
      methods: ['GET'],
      path: { kind: 'exact', path: '/x', trailingSlash: 'ignore' },
      hosts: [],
      headers: [],
      query: [],
    },
    grpc: null,
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: true, maxAttempts: 1, perTryTimeoutMs: 1000 },
    bodyLimitBytes: 1024,
    bodySchema: null,
  };

  it('documents a respond route as the gateway answering its status, no upstream', () => {
    const route: Route = {
      ...base,
      name: 'gone',
      upstream: null,
      respond: { status: 500, message: 'no backend' },
    };
    const get = (
      openApiFromTable({ upstreams: [], routes: [route], version: 't' }, () => undefined) as Doc
    ).paths['/x'].get;
    expect(get.summary).toBe('gone (answers 500)');
    expect(get.responses['500']).toMatchObject({ description: 'no backend' });
    expect(get.responses).not.toHaveProperty('2XX');
  });

  it('names every upstream of a shared route with its weight', () => {
    const route: Route = {
      ...base,
      name: 'canary',
      upstream: 'stable',
      backends: [
        { upstream: 'stable', weight: 9 },
        { upstream: 'next', weight: 1 },
      ],
    };
    const get = (
      openApiFromTable({ upstreams: [], routes: [route], version: 't' }, () => undefined) as Doc
    ).paths['/x'].get;
    expect(get.summary).toBe('canary (stable (weight 9), next (weight 1))');
  });
});
