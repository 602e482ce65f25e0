import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { Stack } from '../../process-topology/index.ts';
import { type CertFiles, makeCa, makeServerCert, pem } from '../support/certificates.ts';
import { eventually } from '../support/eventually.ts';

interface Answer {
  status: number;
  serial: string;
  error?: string;
}

// TLS on the gateway's own listener, from files as a Secret mounts them, with a real TLS client
// that trusts only the test's CA; the certificate is renewed under load.
describe('TLS on the public listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-tls-'));
  const live = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  let ca: CertFiles;
  let stack: Stack;
  let host: string;
  let port: number;

  /** One POST over HTTPS; `agent: false` = a fresh connection and handshake per request. */
  const post = (agent: Agent | false = false): Promise<Answer> =>
    new Promise((resolve) => {
      const req = request(
        {
          host,
          port,
          path: '/projects/',
          method: 'POST',
          ca: pem(ca.cert),
          agent,
          headers: { 'content-type': 'application/json' },
          timeout: 15_000,
        },
        (res) => {
          const serial = (
            res.socket as unknown as { getPeerCertificate(): PeerCertificate }
          ).getPeerCertificate().serialNumber;
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, serial }));
        },
      );
      req.on('error', (err) => resolve({ status: 0, serial: '', error: err.message }));
      req.end(JSON.stringify({ title: 'tls' }));
    });

  /** Installs a certificate as Kubernetes updates a Secret volume: new files renamed into place. */
  const install = (files: CertFiles) => {
    copyFileSync(files.key, `${live.key}.new`);
    copyFileSync(files.cert, `${live.cert}.new`);
    renameSync(`${live.key}.new`, live.key);
    renameSync(`${live.cert}.new`, live.cert);
  };

  beforeAll(async () => {
    stack = new Stack({
      env: {
        gateway: {
          TLS_CERT_FILE: live.cert,
          TLS_KEY_FILE: live.key,
          TLS_RELOAD_MS: '200',
          RATE_LIMIT_LIMIT: '100000',
        },
      },
    });
    [host] = stack.gateways[0].address.split(':');
    port = stack.gateways[0].port;
    ca = makeCa(dir);
    install(makeServerCert(dir, ca, 'first', host, 0x11));
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the mounted certificate (and HSTS), not plain HTTP', async () => {
    const answer = await post();
    expect(answer).toEqual({ status: 200, serial: '11' });
    const hsts = await new Promise<string | undefined>((resolve) => {
      request({ host, port, path: '/nowhere', ca: pem(ca.cert) }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      }).end();
    });
    expect(hsts).toBe('max-age=31536000; includeSubDomains');
    const plain = await fetch(`http://${host}:${port}/projects/`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(5000),
    }).then(
      (r) => r.status,
      () => 0,
    );
    expect(plain).not.toBe(200);
  });

  it('refuses TLS 1.1 and older', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({
        host,
        port,
        ca: pem(ca.cert),
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.on('secureConnect', () => {
        resolve(`connected with ${socket.getProtocol()}`);
        socket.destroy();
      });
      socket.on('error', (err) => resolve(`refused: ${err.message}`));
    });
    expect(outcome).toMatch(/^refused: .*(protocol version|unsupported protocol|alert)/i);
  });

  it('a renewed certificate is picked up under load: 0 failed requests, open connections kept', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: pem(ca.cert) });
    const answers: Answer[] = [];
    const kept: Answer[] = [];
    let stop = false;
    const clients = Array.from({ length: 6 }, async () => {
      while (!stop) answers.push(await post());
    });
    const longLived = (async () => {
      while (!stop) kept.push(await post(keepAlive));
    })();
    try {
      await eventually(() => expect(answers.length).toBeGreaterThan(50), 30_000);
      install(makeServerCert(dir, ca, 'second', host, 0x22));
      await eventually(
        () => expect(answers.filter((a) => a.serial === '22').length).toBeGreaterThan(50),
        30_000,
      );
    } finally {
      stop = true;
      await Promise.all([...clients, longLived]);
      keepAlive.destroy();
    }
    const failed = [...answers, ...kept].filter((a) => a.status !== 200);
    const before = answers.filter((a) => a.serial === '11').length;
    const after = answers.filter((a) => a.serial === '22').length;
    console.log(
      `[tls] rotation under load: ${answers.length} requests on new connections (${before} with the old certificate, ${after} with the new), ` +
        `${kept.length} on one keep-alive connection (certificate ${[...new Set(kept.map((a) => a.serial))].join(',')}), ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    expect(before).toBeGreaterThan(0);
    // Once the new certificate served a connection, no new connection got the old one.
    const firstNew = answers.findIndex((a) => a.serial === '22');
    expect(answers.slice(firstNew + 6).filter((a) => a.serial === '11')).toEqual([]);
    // The keep-alive connection negotiated before the renewal kept working on its certificate.
    expect(kept[kept.length - 1]).toEqual({ status: 200, serial: '11' });
    await eventually(() =>
      expect(stack.gateways[0].logs).toContainEqual(
        expect.objectContaining({ msg: 'TLS certificate reloaded' }),
      ),
    );
  });
});
