import type { GatewayPortRouteTable, Translation } from '@app/gateway-api';
import { Logger } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { createServer as createTlsServer, type SecureContext } from 'node:tls';
import { applicationProtocol, siteFor, type TlsSite, tlsSites } from './tls-termination';

/** What a (Gateway, port) pair's listener needs of its table (route-table-from-gateways.ts). */
export type GatewayListenerPort = Pick<
  GatewayPortRouteTable,
  'gateway' | 'port' | 'internalPort' | 'listeners'
>;

export interface GatewayListenerOptions {
  /** A port that could not be opened (in use, not permitted): it is tried again on each update. */
  onError?(port: number, error: Error): void;
}

export interface GatewayListeners {
  /**
   * The pairs of this translation: the internal ports of new pairs are opened, those of pairs
   * gone closed (connections already open stay, and RouteTableServer answers them from no table
   * but their port's), an HTTPS port's certificates replaced (open connections keep theirs).
   * Resolves once every port it opens listens or failed; before the main port listens, at once
   * (the ports open with it).
   */
  update(pairs: Iterable<GatewayListenerPort>): Promise<void>;
  /** The internal ports listening now, ascending. */
  listening(): number[];
  close(): void;
}

interface PortListener {
  readonly tls: boolean;
  readonly server: Server;
  /** HTTPS: the certificates by SNI name, replaced in place by each update. */
  readonly certificates: { sites: TlsSite[]; readonly contexts: Map<string, SecureContext> };
  failed: boolean;
  /** Given up while it was still binding (listen resolves the host first): closed once bound. */
  stopped: boolean;
}

/**
 * The per-(Gateway, port) listeners (docs/adr/0011-gateway-api.md, "Per-Gateway addresses"): one
 * `net.Server` per allocated internal port - a `tls.Server` choosing the certificate by SNI
 * among that port's HTTPS listeners only, with the TLS port's ALPN rule - each handing its
 * connections (decrypted) to `target`, the main port's HTTP server, exactly as tls-termination.ts
 * does: they take the same h2c sniffing, limits, metrics and draining, and RouteTableServer picks
 * the table by the port they arrived on (`socket.localPort`). The ports open once `target`
 * listens, on its address, and close with it.
 */
export function gatewayListeners(
  target: HttpServer,
  options: GatewayListenerOptions = {},
): GatewayListeners {
  const logger = new Logger('gateway-api');
  const open = new Map<number, PortListener>();
  let wanted = new Map<number, GatewayListenerPort>();
  let closed = false;
  // Logged once per port and message: every reload tries a failed port again.
  const reported = new Map<number, string>();

  const create = (pair: GatewayListenerPort): PortListener => {
    const tls = pair.listeners.some((listener) => listener.protocol === 'HTTPS');
    const certificates = { sites: [] as TlsSite[], contexts: new Map<string, SecureContext>() };
    const server: Server = tls
      ? createTlsServer({
          SNICallback: (servername, callback) => {
            const site = siteFor(certificates.sites, servername);
            if (site) callback(null, site.context);
            else callback(new Error(`no HTTPS listener takes the host name '${servername}'`));
          },
          minVersion: 'TLSv1.2',
          ALPNCallback: ({ protocols }) => applicationProtocol(protocols),
        })
      : // As node:http's own server: a client's FIN is the HTTP server's to act on, not net's.
        createNetServer({ allowHalfOpen: true, noDelay: true });
    server.on(tls ? 'secureConnection' : 'connection', (socket) =>
      target.emit('connection', socket),
    );
    // A failed handshake concerns that client only.
    if (tls) server.on('tlsClientError', (_error, socket) => socket.destroy());
    return { tls, server, certificates, failed: false, stopped: false };
  };

  const listen = (port: number, entry: PortListener): Promise<void> =>
    new Promise((resolve) => {
      const onError = (error: Error) => {
        entry.failed = true;
        if (reported.get(port) !== error.message) {
          reported.set(port, error.message);
          logger.warn(
            { port, error: error.message },
            'a Gateway listener port could not be opened; tried again on the next table',
          );
        }
        options.onError?.(port, error);
        resolve();
      };
      entry.server.once('error', onError);
      const address = target.address() as AddressInfo | null;
      entry.server.listen(port, address?.address, () => {
        entry.server.off('error', onError);
        if (entry.stopped) {
          entry.server.close();
          resolve();
          return;
        }
        // Errors after listening (accept failing under EMFILE) concern no open connection.
        entry.server.on('error', (error) =>
          logger.warn({ port, error: error.message }, 'Gateway listener port error'),
        );
        reported.delete(port);
        resolve();
      });
    });

  const stop = (port: number) => {
    const entry = open.get(port);
    if (!entry) return;
    open.delete(port);
    entry.stopped = true;
    // Stops accepting at once (the port can be bound again in the same tick); open connections stay.
    if (entry.server.listening) entry.server.close();
  };

  const reconcile = (): Promise<void> => {
    if (closed || !target.listening) return Promise.resolve();
    for (const [port, entry] of [...open]) {
      const pair = wanted.get(port);
      const tls = pair?.listeners.some((listener) => listener.protocol === 'HTTPS');
      if (!pair || tls !== entry.tls || entry.failed) stop(port);
    }
    const opening: Promise<void>[] = [];
    for (const [port, pair] of wanted) {
      let entry = open.get(port);
      if (!entry) {
        entry = create(pair);
        open.set(port, entry);
        opening.push(listen(port, entry));
      }
      if (entry.tls)
        entry.certificates.sites = tlsSites(translationOf(pair), entry.certificates.contexts);
    }
    return Promise.all(opening).then(() => undefined);
  };

  const onListening = () => void reconcile();
  target.on('listening', onListening);
  const close = () => {
    if (closed) return;
    closed = true;
    target.off('listening', onListening);
    for (const port of [...open.keys()]) stop(port);
  };
  target.once('close', close);

  return {
    update: (pairs) => {
      wanted = new Map([...pairs].map((pair) => [pair.internalPort, pair]));
      return reconcile();
    },
    listening: () =>
      [...open]
        .filter(([, entry]) => entry.server.listening)
        .map(([port]) => port)
        .sort((a, b) => a - b),
    close,
  };
}

/** A translation of the pair's listeners alone: tlsSites' input, so no other Gateway's certificate answers. */
function translationOf(pair: GatewayListenerPort): Translation {
  return {
    gateways: [{ gateway: pair.gateway, listeners: pair.listeners }],
    status: { gatewayClasses: [], gateways: [], routes: [] },
  };
}
