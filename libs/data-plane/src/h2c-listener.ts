import type { Server as HttpServer } from 'node:http';
import {
  createServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** How an HTTP/2 session's connection arrived. */
interface Arrival {
  readonly encrypted: boolean;
  readonly localPort: number | undefined;
}

/** What every HTTP/2 connection starts with (RFC 9113 section 3.4); no HTTP/1 request does. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface H2cListener {
  /** Asks every HTTP/2 client to go (GOAWAY): their calls in flight finish, no new one starts. */
  close(): void;
}

/**
 * HTTP/2 cleartext with prior knowledge (h2c, what gRPC clients speak to a plain port) on the
 * HTTP/1 server's own port (docs/adr/0011-gateway-api.md, "GRPCRoute"): each connection's first
 * bytes are read before any parser sees them; one that starts with the HTTP/2 preface goes to an
 * HTTP/2 session whose streams `onStream` serves, any other to `httpServer` as it came. Both keep
 * the bytes read (they are put back first). Connections handed over decrypted by the TLS port
 * (tls-termination.ts) take the same path. `@httptoolkit/httpolyglot` does this by owning the
 * server; Nest and Fastify own this one, hence these few lines on its 'connection' event.
 */
export function acceptH2c(
  httpServer: HttpServer,
  onStream: (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    encrypted: boolean,
    /** The port the connection arrived on (a per-Gateway listener's, gateway-listeners.ts). */
    localPort: number | undefined,
  ) => void,
): H2cListener {
  const http2 = createServer();
  const sessions = new Set<ServerHttp2Session>();
  // Whether each session's connection came decrypted from the TLS port, and the port it arrived
  // on: its socket is the wrapper of withHead, which has neither, so both are noted as the
  // connection is handed over ('session' is emitted then).
  const arrival = new WeakMap<Http2Session, Arrival>();
  let handingOver: Arrival = { encrypted: false, localPort: undefined };
  http2.on('session', (session) => {
    sessions.add(session);
    arrival.set(session, handingOver);
    session.once('close', () => sessions.delete(session));
    // A client's broken connection concerns that client only.
    session.on('error', () => session.destroy());
  });
  http2.on('stream', (stream, headers) => {
    const from = stream.session ? arrival.get(stream.session) : undefined;
    onStream(stream, headers, from?.encrypted === true, from?.localPort);
  });

  const http1 = httpServer.listeners('connection') as ((socket: Socket) => void)[];
  httpServer.removeAllListeners('connection');
  // A client that sends less than a request line or a preface is dropped as the HTTP server drops
  // one whose headers do not come (its headersTimeout): the server's timers start only after.
  const sniffTimeoutMs = httpServer.headersTimeout > 0 ? httpServer.headersTimeout : 60_000;
  httpServer.on('connection', (socket: Socket) =>
    sniff(socket, sniffTimeoutMs, (head, isHttp2) => {
      if (isHttp2) {
        handingOver = {
          encrypted: (socket as { encrypted?: boolean }).encrypted === true,
          localPort: socket.localPort,
        };
        http2.emit('connection', withHead(socket, head));
        return;
      }
      socket.unshift(head);
      for (const listener of http1) listener.call(httpServer, socket);
      // The bytes put back flow to the parser that took the socket.
      socket.resume();
    }),
  );
  return {
    close: () => {
      for (const session of sessions) session.close();
    },
  };
}

/** Reads until the bytes tell the preface from anything else, and hands them over with the answer. */
function sniff(
  socket: Socket,
  timeoutMs: number,
  decided: (head: Buffer, isHttp2: boolean) => void,
): void {
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) chunks.push(chunk);
    const head = Buffer.concat(chunks);
    const compared = Math.min(head.length, PREFACE.length);
    const isHttp2 = head.subarray(0, compared).equals(PREFACE.subarray(0, compared));
    if (isHttp2 && head.length < PREFACE.length) return;
    clearTimeout(timer);
    socket.off('readable', onReadable);
    socket.off('end', onGone);
    socket.off('error', onGone);
    decided(head, isHttp2);
  };
  const onGone = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on('readable', onReadable);
  socket.on('end', onGone);
  socket.on('error', onGone);
}

/**
 * The socket as a stream that yields `head` first: an HTTP/2 session reads its socket's handle
 * directly, past anything put back into the socket's buffer (checked on Node 24), so it gets this
 * stream instead (node:http2 wraps any Duplex).
 */
function withHead(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => socket.resume(),
    write: (chunk: Buffer, encoding, callback) => socket.write(chunk, encoding, callback),
    final: (callback) => socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return stream;
}
