import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './tools.ts';

/** A certificate and its key as PEM files. */
export interface CertFiles {
  cert: string;
  key: string;
  /** Hex serial number, as tls reports it (upper case). */
  serial: string;
}

/** A new P-256 key written to `key`, for `openssl req`. */
const NEW_P256_KEY = (key: string) => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  key,
];

function openssl(args: string[], cwd: string): void {
  execFileSync(requireTool('openssl', 'openssl'), args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** A throwaway CA for one test (P-256, valid 2 days), made with the openssl CLI. */
export function makeCa(dir: string): CertFiles {
  openssl(
    [
      'req',
      '-x509',
      ...NEW_P256_KEY('ca.key'),
      '-out',
      'ca.crt',
      '-subj',
      '/CN=edge-e2e-ca',
      '-days',
      '2',
    ],
    dir,
  );
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key'), serial: '' };
}

/** A server certificate for an IP address, signed by the CA, with the given serial number. */
export function makeServerCert(
  dir: string,
  ca: CertFiles,
  name: string,
  ip: string,
  serial: number,
): CertFiles {
  return makeCertFor(dir, ca, name, `IP:${ip}`, serial);
}

/** A server certificate for a subjectAltName such as `DNS:gateway.example.com`, signed by the CA. */
export function makeCertFor(
  dir: string,
  ca: CertFiles,
  name: string,
  subjectAltName: string,
  serial: number,
): CertFiles {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    ['req', ...NEW_P256_KEY(`${name}.key`), '-out', `${name}.csr`, '-subj', `/CN=${name}`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      String(serial),
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return {
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
    serial: serial.toString(16).toUpperCase().padStart(2, '0'),
  };
}

export const pem = (path: string) => readFileSync(path);
