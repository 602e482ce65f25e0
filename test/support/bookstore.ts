import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { repoRoot } from '../../process-topology/index.ts';

// The Bookstore test service (libs/transcoding/test-protos/bookstore.proto), served by a real
// grpc-js server on loopback: every google.api.http feature the transcoding supports has a method
// there. Its answers are plain functions of the request, so a test can assert them exactly and a
// fuzzer's requests get valid replies (never a server error of the fixture's own).
const PROTOS = join(repoRoot(), 'libs/transcoding/test-protos');
export const BOOKSTORE_PROTO = join(PROTOS, 'bookstore.proto');
// google/api/*.proto and google/protobuf/*.proto: protobufjs's own copies, as the gateway uses.
const PROTOBUFJS = join(repoRoot(), 'node_modules/protobufjs');

type Json = Record<string, unknown>;
type Handler = (call: grpc.ServerUnaryCall<Json, Json>, callback: grpc.sendUnaryData<Json>) => void;

/** The Timestamp every shelf carries: 2023-11-14T22:13:20.500Z. */
export const CREATED_AT = { seconds: '1700000000', nanos: 500_000_000 };

export interface Bookstore {
  port: number;
  /** The request ids that reached the server, by method. */
  requestIds: Record<string, string[]>;
  stop(): Promise<void>;
}

function notFound(details: string): grpc.ServiceError {
  return Object.assign(new Error(details), {
    code: grpc.status.NOT_FOUND,
    details,
    metadata: new grpc.Metadata(),
  });
}

/** Starts the Bookstore on 127.0.0.1 (a free port); `GetShelf` of shelf "404" is NOT_FOUND. */
export async function startBookstore(): Promise<Bookstore> {
  const requestIds: Record<string, string[]> = {};
  const unary =
    (name: string, answer: (request: Json) => Json | grpc.ServiceError): Handler =>
    (call, callback) => {
      (requestIds[name] ??= []).push(String(call.metadata.get('x-request-id')[0] ?? ''));
      const reply = answer(call.request);
      if (reply instanceof Error) callback(reply);
      else callback(null, reply);
    };
  const definition = loadSync(BOOKSTORE_PROTO, {
    keepCase: true,
    longs: String,
    enums: String,
    oneofs: true,
    includeDirs: [PROTOS, PROTOBUFJS],
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    bookstore: { v1: { Bookstore: { service: grpc.ServiceDefinition } } };
  };
  const server = new grpc.Server();
  server.addService(pkg.bookstore.v1.Bookstore.service, {
    GetShelf: unary('GetShelf', ({ shelf }) =>
      shelf === '404'
        ? notFound('no shelf 404')
        : { id: shelf, theme: 'history', genre: 'HISTORY', created_at: CREATED_AT },
    ),
    // What the query string set, echoed in the author field.
    ListBooks: unary('ListBooks', (request) => ({
      books: [
        {
          name: `shelves/${String(request.shelf)}/books/1`,
          author: JSON.stringify({
            tags: request.tags,
            genre: request.genre,
            page: request.page,
            include_drafts: request.include_drafts,
            ids: request.ids,
          }),
          page_count: '9007199254740993',
        },
      ],
      next_page_token: 'next',
    })),
    GetBook: unary('GetBook', ({ name }) => ({ name, author: 'Anon' })),
    CreateBook: unary('CreateBook', ({ shelf, book }) => ({
      ...(book as Json),
      name: `shelves/${String(shelf)}/books/new`,
    })),
    UpdateBook: unary('UpdateBook', ({ book }) => (book as Json | undefined) ?? {}),
    CreateShelf: unary('CreateShelf', (shelf) => ({ ...shelf, created_at: CREATED_AT })),
    ArchiveShelf: unary('ArchiveShelf', () => ({})),
    DeleteBook: unary('DeleteBook', () => ({})),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    port,
    requestIds,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
