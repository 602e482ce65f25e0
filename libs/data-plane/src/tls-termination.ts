import {
  ANY_HOST,
  compareHostSpecificity,
  hostMatches,
  type ListenerCertificate,
  type Translation,
} from '@app/gateway-api';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSecureContext,
  createServer,
  type SecureContext,
  type Server,
  Server as TlsServer,
} from 'node:tls';

/** The certificates of one HTTPS listener host name (ANY_HOST: a listener naming none). */
export interface TlsSite {
  readonly hostname: string;
  readonly context: SecureContext;
}

/**
 * The sites of every HTTPS listener the translation serves, most specific host name first (the
 * order a client hello's SNI name is matched in, as GatewaySpec `listeners` orders host names).
 * Listeners of one host name share a site: the first one's certificates answer, as the first
 * listener of a Gateway wins among equals. Equal certificates make one context, and `contexts`
 * (key: the PEM texts) carries them from one table to the next: a rebuild for any other change
 * (pods churning behind a Service) parses no certificate again. It keeps only those in use.
 */
export function tlsSites(
  translation: Translation,
  contexts: Map<string, SecureContext> = new Map(),
): TlsSite[] {
  const byHost = new Map<string, readonly ListenerCertificate[]>();
  for (const gateway of translation.gateways)
    for (const listener of gateway.listeners)
      if (listener.protocol === 'HTTPS' && listener.certificates.length > 0) {
        const hostname = listener.hostname ?? ANY_HOST;
        if (!byHost.has(hostname)) byHost.set(hostname, listener.certificates);
      }
  const used = new Set<string>();
  const contextOf = (certificates: readonly ListenerCertificate[]) => {
    const key = certificates.map((c) => c.certificate + c.privateKey).join('\n');
    used.add(key);
    let context = contexts.get(key);
    if (context === undefined) {
      // Several certificates (e.g. RSA and ECDSA) in one context: the client's offer picks one.
      context = createSecureContext({
        cert: certificates.map((c) => c.certificate),
        key: certificates.map((c) => c.privateKey),
      });
      contexts.set(key, context);
    }
    return context;
  };
  const sites = [...byHost]
    .sort(([a], [b]) => compareHostSpecificity(a, b))
    .map(([hostname, certificates]) => ({ hostname, context: contextOf(certificates) }));
  for (const key of contexts.keys()) if (!used.has(key)) contexts.delete(key);
  return sites;
}

/** The site answering a client hello naming `servername` (none named: only a listener naming no host). */
export function siteFor(sites: readonly TlsSite[], servername: string): TlsSite | undefined {
  return sites.find((site) =>
    site.hostname === ANY_HOST ? true : servername !== '' && hostMatches(site.hostname, servername),
  );
}

export interface TlsTermination {
  /** The HTTPS listeners' certificates from now on; connections already open keep theirs. */
  update(translation: Translation): void;
  /** Where the TLS port listens; null until the main port does, and after close. */
  address(): AddressInfo | null;
  close(): void;
}

/**
 * The Gateways' HTTPS listeners: TLS is terminated on `port` with the certificate the client's SNI
 * name selects, and each decrypted connection is handed to `target` - the main port's HTTP
 * server - so it is routed, limited, drained and measured exactly like one that arrived there
 * (`request.socket.encrypted` tells the two apart). A client hello naming no served host gets
 * no certificate: the handshake fails. The port opens once `target` listens, on its address, and
 * closes with it.
 */
export function terminateTls(target: HttpServer | Server, port: number): TlsTermination {
  let sites: TlsSite[] = [];
  const contexts = new Map<string, SecureContext>();
  const server: Server = createServer({
    SNICallback: (servername, callback) => {
      const site = siteFor(sites, servername);
      if (site) callback(null, site.context);
      else callback(new Error(`no HTTPS listener takes the host name '${servername}'`));
    },
    minVersion: 'TLSv1.2',
    ALPNCallback: ({ protocols }) => applicationProtocol(protocols),
  });
  // An https main port (edge TLS) takes decrypted sockets as its own 'secureConnection's.
  const handOver = target instanceof TlsServer ? 'secureConnection' : 'connection';
  server.on('secureConnection', (socket) => target.emit(handOver, socket));
  // A failed handshake concerns that client only.
  server.on('tlsClientError', (_error, socket) => socket.destroy());

  let closed = false;
  const open = () => {
    if (closed) return;
    const address = target.address() as AddressInfo | null;
    server.listen(port, address?.address);
  };
  if (target.listening) open();
  else target.once('listening', open);
  target.once('close', () => close());

  const close = () => {
    if (closed) return;
    closed = true;
    target.off('listening', open);
    if (server.listening) server.close();
  };
  return {
    update: (translation) => {
      sites = tlsSites(translation, contexts);
    },
    address: () => (server.listening ? (server.address() as AddressInfo) : null),
    close,
  };
}

/**
 * The protocol of a TLS connection, from the client's ALPN offer: HTTP/1.1 whenever offered -
 * browsers and curl offer `h2` first but keep HTTP/1.1, which the Fastify request path serves -
 * and `h2` when it is the only one that would do, as gRPC clients offer it alone: their calls go
 * to h2c-listener.ts's HTTP/2 session like those of the plain port. Another offer (`http/1.0`)
 * gets its first protocol, the HTTP/1 server taking it as before ALPN was answered at all.
 */
export function applicationProtocol(offered: readonly string[]): string | undefined {
  if (offered.includes('http/1.1')) return 'http/1.1';
  if (offered.includes('h2')) return 'h2';
  return offered[0];
}
