import { loadPackageDefinition, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import {
  connect,
  createServer as createTcpServer,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { join } from 'node:path';
import { PROTO_INCLUDE_DIRS } from '../../libs/contracts/src/proto-include-dirs.ts';
import { repoRoot } from '../../process-topology/index.ts';

/**
 * Upstreams that are up but failing - an overloaded or broken replica - and count what reaches
 * them: the "upstream side" of retry and ejection tests. Like black-hole.ts, they stand in for a
 * failure mode, not for an app (the apps themselves never answer like this).
 */
export interface FailingUpstream {
  /** Requests (HTTP), connections (reset server) or calls (gRPC) received so far. */
  readonly received: number;
  close(): Promise<void>;
}

/** An HTTP server that answers every request with `status` (JSON), keeping connections alive. */
export async function startErroringHttpServer(
  host: string,
  port: number,
  statusCode = 503,
): Promise<FailingUpstream> {
  let received = 0;
  const server = createHttpServer((request, response) => {
    received++;
    request.resume();
    request.on('end', () => {
      response.writeHead(statusCode, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'overloaded' }));
    });
  });
  await listen(server, host, port);
  return {
    get received() {
      return received;
    },
    close: () => closeServer(server, () => server.closeAllConnections()),
  };
}

/** A TCP server that resets every connection it accepts before reading anything. */
export async function startResettingServer(host: string, port: number): Promise<FailingUpstream> {
  let received = 0;
  const server: TcpServer = createTcpServer((socket: Socket) => {
    received++;
    socket.on('error', () => undefined);
    socket.resetAndDestroy();
  });
  await listen(server, host, port);
  return {
    get received() {
      return received;
    },
    close: () => closeServer(server),
  };
}

/** A gRPC server of userverify.UserVerify that answers every call with UNAVAILABLE. */
export async function startUnavailableGrpcServer(
  host: string,
  port: number,
): Promise<FailingUpstream> {
  let received = 0;
  const definition = loadSync(join(repoRoot(), 'proto/userverify.proto'), {
    includeDirs: [...PROTO_INCLUDE_DIRS],
  });
  const proto = loadPackageDefinition(definition) as unknown as {
    userverify: { UserVerify: { service: Parameters<Server['addService']>[0] } };
  };
  const server = new Server();
  server.addService(proto.userverify.UserVerify.service, {
    VerifyUser: (_call: unknown, callback: (err: { code: number; details: string }) => void) => {
      received++;
      callback({ code: status.UNAVAILABLE, details: 'overloaded' });
    },
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return {
    get received() {
      return received;
    },
    close: async () => server.forceShutdown(),
  };
}

/**
 * A replica that accepts no connections - a hung process whose accept queue is full: a child
 * process listens with a backlog of 1 and blocks its event loop, and two connections fill the
 * queue. The kernel then drops further SYNs, so a client's connect hangs until it gives up.
 */
export async function startUnacceptingServer(
  host: string,
  port: number,
): Promise<{ close: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('net').createServer().listen({ host: '${host}', port: ${port}, backlog: 1 }, () => {
         process.stdout.write('listening\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout, 'data');
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = connect(port, host);
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    fillers.push(socket);
  }
  return {
    close: async () => {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

function listen(server: TcpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: TcpServer, dropConnections?: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    dropConnections?.();
  });
}
