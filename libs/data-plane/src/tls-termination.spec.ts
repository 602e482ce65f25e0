import type { ListenerModel, Translation } from '@app/gateway-api';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { CERTIFICATE_PEM, PRIVATE_KEY_PEM } from '../../gateway-api/src/tls.fixture';
import { siteFor, terminateTls, type TlsTermination, tlsSites } from './tls-termination';

const CERTIFICATE = { certificate: CERTIFICATE_PEM, privateKey: PRIVATE_KEY_PEM };

function listener(
  protocol: 'HTTP' | 'HTTPS',
  hostname: string | null,
  name = `${protocol}-${hostname}`,
): ListenerModel {
  return {
    name,
    port: protocol === 'HTTPS' ? 443 : 80,
    protocol,
    hostname,
    certificates: protocol === 'HTTPS' ? [CERTIFICATE] : [],
    hosts: [],
  };
}

function translation(...listeners: ListenerModel[]): Translation {
  return {
    gateways: [{ gateway: { namespace: 'ns', name: 'gw' }, listeners }],
    status: { gatewayClasses: [], gateways: [], routes: [] },
  };
}

describe('tlsSites / siteFor', () => {
  const sites = tlsSites(
    translation(
      listener('HTTPS', null),
      listener('HTTPS', '*.example.com'),
      listener('HTTPS', 'www.example.com'),
      listener('HTTPS', '*.a.example.com'),
      listener('HTTP', 'plain.example.com'),
    ),
  );

  it('orders the HTTPS listeners most specific host name first, without the HTTP ones', () => {
    expect(sites.map((site) => site.hostname)).toEqual([
      'www.example.com',
      '*.a.example.com',
      '*.example.com',
      '*',
    ]);
  });

  it('answers an SNI name with the most specific listener taking it, else one naming no host', () => {
    const hostOf = (name: string) => siteFor(sites, name)?.hostname;
    expect(hostOf('www.example.com')).toBe('www.example.com');
    expect(hostOf('x.a.example.com')).toBe('*.a.example.com');
    expect(hostOf('x.y.example.com')).toBe('*.example.com');
    expect(hostOf('example.com')).toBe('*');
    expect(hostOf('')).toBe('*');
  });

  it('answers no name without a listener naming no host', () => {
    const named = tlsSites(translation(listener('HTTPS', 'www.example.com')));
    expect(siteFor(named, 'other.example.com')).toBeUndefined();
    expect(siteFor(named, '')).toBeUndefined();
  });
});

describe('terminateTls', () => {
  let target: HttpServer;
  let tls: TlsTermination | undefined;

  beforeEach(async () => {
    // The main port's server: it answers with what it saw of the connection.
    target = createServer((request, response) => {
      const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
      response.end(JSON.stringify({ encrypted, host: request.headers.host }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    tls?.close();
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  });

  /** The TLS port's number, once it listens (it opens after the main port). */
  async function tlsPort(termination: TlsTermination): Promise<number> {
    for (let i = 0; i < 100 && termination.address() === null; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return (termination.address() as AddressInfo).port;
  }

  /** One request over TLS naming `servername`: the answer's body, or the handshake's error. */
  function get(port: number, servername: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false });
      let body = '';
      let secured = false;
      socket.on('secureConnect', () => {
        secured = true;
        socket.write(`GET / HTTP/1.1\r\nhost: ${servername}\r\nconnection: close\r\n\r\n`);
      });
      socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
      socket.on('close', () =>
        secured
          ? resolve(body.slice(body.indexOf('\r\n\r\n') + 4))
          : reject(new Error('the TLS handshake did not complete')),
      );
      socket.on('error', reject);
    });
  }

  it('hands the decrypted connection to the main server, with the certificate the SNI name selects', async () => {
    tls = terminateTls(target, 0);
    tls.update(translation(listener('HTTPS', '*.example.com')));
    const port = await tlsPort(tls);
    expect(JSON.parse(await get(port, 'shop.example.com'))).toEqual({
      encrypted: true,
      host: 'shop.example.com',
    });
  });

  it('fails the handshake of a name no HTTPS listener takes, and serves it once one does', async () => {
    tls = terminateTls(target, 0);
    tls.update(translation(listener('HTTPS', 'www.example.com')));
    const port = await tlsPort(tls);
    await expect(get(port, 'other.example.org')).rejects.toThrow();
    tls.update(translation(listener('HTTPS', 'www.example.com'), listener('HTTPS', null)));
    expect(JSON.parse(await get(port, 'other.example.org'))).toMatchObject({ encrypted: true });
  });

  it('answers h2 by ALPN to a client offering only h2 (gRPC clients, grpc-go requires it), HTTP/1.1 to one offering both', async () => {
    tls = terminateTls(target, 0);
    tls.update(translation(listener('HTTPS', null)));
    const port = await tlsPort(tls);
    const negotiated = (offer: string[]) =>
      new Promise<string | false>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername: 'example.com',
          rejectUnauthorized: false,
          ALPNProtocols: offer,
        });
        socket.on('secureConnect', () => {
          resolve(socket.alpnProtocol ?? false);
          socket.destroy();
        });
        socket.on('error', reject);
      });
    expect(await negotiated(['h2'])).toBe('h2');
    expect(await negotiated(['h2', 'http/1.1'])).toBe('http/1.1');
  });

  it('stops listening when the main server closes', async () => {
    tls = terminateTls(target, 0);
    const port = await tlsPort(tls);
    await new Promise((resolve) => target.close(resolve));
    await expect(get(port, 'www.example.com')).rejects.toThrow(/ECONNREFUSED/);
  });
});
