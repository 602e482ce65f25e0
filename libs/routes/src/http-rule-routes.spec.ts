import { ConfigError } from '@app/env';
import { stringify } from 'yaml';
import { parseRouteFile } from './parse-route-file';
import { REPO_ROOT, TEST_DEFAULTS, type TestFile } from './route-file.fixture';
import type { Route } from './route-model';

const SOURCE = { name: 'routes.yaml', baseDir: REPO_ROOT };
const BOOKSTORE = 'libs/transcoding/test-protos/bookstore.proto';

/** A file with one annotated upstream, `shop`, and the given routes of its own. */
function shopFile(routes: TestFile['routes'] = []): TestFile {
  return {
    formatVersion: 1,
    upstreams: {
      shop: {
        kind: 'grpc',
        target: 'dns:///shop:6000',
        protos: [BOOKSTORE],
        httpRulesFromProtos: true,
        traffic: { timeoutMs: 1500, retry: { maxAttempts: 3 } },
      },
    },
    routes,
  };
}

const parse = (file: TestFile) => parseRouteFile(stringify(file), SOURCE, TEST_DEFAULTS);

function problem(file: TestFile): string {
  try {
    parse(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('routes from google.api.http annotations', () => {
  const table = parse(shopFile());
  const byName = new Map(table.routes.map((route) => [route.name, route]));

  it('makes one route per binding, named <upstream>.<method>[.<n>]', () => {
    expect(
      table.routes.map((r) => `${r.name} ${r.match.methods.join(',')} ${r.match.path.path}`),
    ).toEqual([
      'shop.archiveshelf POST /v1/shelves/{shelf}:archive',
      'shop.createbook POST /v1/shelves/{shelf}/books',
      'shop.createshelf POST /v1/shelves',
      'shop.createshelf.1 PUT /v1/shelves/{id}',
      'shop.deletebook DELETE /v1/{name=shelves/*/books/*}',
      'shop.getbook GET /v1/{name=shelves/*/books/*}',
      'shop.getbook.1 GET /v1/books/{name=**}',
      'shop.getshelf GET /v1/shelves/{shelf}',
      'shop.listbooks GET /v1/shelves/{shelf}/books',
      'shop.updatebook PATCH /v1/{book.name=shelves/*/books/*}',
    ]);
  });

  it('carries the rule: path kind http-rule with its field paths, body and response_body', () => {
    expect(byName.get('shop.updatebook')).toEqual<Route>({
      name: 'shop.updatebook',
      // Its place among the table's routes (route-file-order.ts), not the rule's.
      order: expect.any(Number) as number,
      match: {
        methods: ['PATCH'],
        path: {
          kind: 'http-rule',
          path: '/v1/{book.name=shelves/*/books/*}',
          variables: ['book.name'],
        },
        hosts: [],
        headers: [],
        query: [],
      },
      upstream: 'shop',
      grpc: {
        service: 'bookstore.v1.Bookstore',
        method: 'UpdateBook',
        httpRule: { body: 'book', responseBody: null },
      },
      auth: TEST_DEFAULTS.auth,
      rateLimit: null,
      timeoutMs: 1500,
      retry: { idempotent: false, maxAttempts: 3, perTryTimeoutMs: 900 },
      bodyLimitBytes: TEST_DEFAULTS.bodyLimitBytes,
      bodySchema: null,
    });
    expect(byName.get('shop.listbooks')?.grpc?.httpRule).toEqual({
      body: null,
      responseBody: 'books',
    });
  });

  it('retries after reaching the upstream only GET routes', () => {
    const idempotent = table.routes.filter((r) => r.retry.idempotent).map((r) => r.name);
    expect(idempotent).toEqual(
      table.routes.filter((r) => r.match.methods[0] === 'GET').map((r) => r.name),
    );
    expect(idempotent).toEqual([
      'shop.getbook',
      'shop.getbook.1',
      'shop.getshelf',
      'shop.listbooks',
    ]);
  });

  it('lists the methods that got no route, and why', () => {
    expect(table.skipped).toEqual([
      {
        upstream: 'shop',
        grpcPath: '/bookstore.v1.Bookstore/Chat',
        reason: expect.stringMatching(/^bidi-streaming/),
      },
      {
        upstream: 'shop',
        grpcPath: '/bookstore.v1.Bookstore/DeleteBook',
        reason: 'custom HTTP method PURGE of /v1/{name=shelves/*/books/*} is not routed',
      },
      {
        upstream: 'shop',
        grpcPath: '/bookstore.v1.Bookstore/UploadBooks',
        reason: expect.stringMatching(/^client-streaming/),
      },
      {
        upstream: 'shop',
        grpcPath: '/bookstore.v1.Bookstore/WatchShelf',
        reason: 'server-streaming methods are not served over HTTP',
      },
    ]);
  });

  it('adds nothing without httpRulesFromProtos', () => {
    const file = shopFile();
    file.upstreams.shop.httpRulesFromProtos = false;
    expect(parse(file).routes).toEqual([]);
  });

  it('lets a file route taking the same requests win, whatever its variable names, and says so', () => {
    const table = parse(
      shopFile([
        {
          name: 'shelf',
          match: { methods: ['GET'], path: { template: '/v1/shelves/{id}/books/{book}' } },
          upstream: 'shop',
          grpc: { service: 'bookstore.v1.Bookstore', method: 'GetBook' },
        },
      ]),
    );
    expect(
      table.routes.filter((route) => route.grpc?.method === 'GetBook').map((r) => r.name),
    ).toEqual(['shelf', 'shop.getbook.1']); // its additional binding stays
    expect(table.skipped).toContainEqual({
      upstream: 'shop',
      grpcPath: '/bookstore.v1.Bookstore/GetBook',
      reason: 'route "shelf" of the file takes GET /v1/{name=shelves/*/books/*}',
    });
  });

  it('takes a file route on the same path with another method, or for a named host', () => {
    const table = parse(
      shopFile([
        {
          name: 'shelf-head',
          match: { methods: ['HEAD'], path: { template: '/v1/shelves/{id}' } },
          upstream: 'shop',
          grpc: { service: 'bookstore.v1.Bookstore', method: 'GetShelf' },
        },
        {
          name: 'shelf-admin',
          match: {
            methods: ['GET'],
            path: { template: '/v1/shelves/{id}' },
            hosts: ['admin.example.com'],
          },
          upstream: 'shop',
          grpc: { service: 'bookstore.v1.Bookstore', method: 'GetShelf' },
        },
      ]),
    );
    expect(table.routes.map((r) => r.name)).toContain('shop.getshelf');
  });

  it('refuses a file route holding a generated name', () => {
    expect(
      problem(
        shopFile([
          {
            name: 'shop.getshelf',
            match: { methods: ['GET'], path: { exact: '/other' } },
            upstream: 'shop',
            grpc: { service: 'bookstore.v1.Bookstore', method: 'GetShelf' },
          },
        ]),
      ),
    ).toBe(
      'routes.yaml: upstreams "shop": httpRulesFromProtos: the route name "shop.getshelf" of GET /v1/shelves/{shelf} (bookstore.v1.Bookstore/GetShelf) is also the name of route "shop.getshelf"',
    );
  });

  it('refuses a malformed rule in one line naming the upstream and the method', () => {
    const file = shopFile();
    file.upstreams.shop.protos = ['libs/transcoding/test-protos/bad-template.proto'];
    expect(problem(file)).toMatch(
      /^routes\.yaml: upstreams "shop": httpRulesFromProtos: google\.api\.http rule \/[\w.]+\/\w+: [^\n]+$/,
    );
  });
});
