import { ConfigError } from '@app/env';
import type { TlsCredentials } from '@app/http-server';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { TlsEnv } from './edge-env';

/** The certificate and key at start-up, or undefined without TLS; a bad pair stops start-up. */
export function tlsCredentialsOf(config: TlsEnv): TlsCredentials | undefined {
  if (config.TLS_CERT_FILE === undefined || config.TLS_KEY_FILE === undefined) return undefined;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  };
  const credentials = {
    cert: read('TLS_CERT_FILE', config.TLS_CERT_FILE),
    key: read('TLS_KEY_FILE', config.TLS_KEY_FILE),
  };
  try {
    createSecureContext(credentials);
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: TLS_CERT_FILE: not a usable certificate and key (${(err as Error).message})`,
    );
  }
  return credentials;
}

export interface TlsReloadLogger {
  log(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Applies a renewed certificate (cert-manager rewrites the Secret, Kubernetes swaps the mounted
 * files) without a restart: both files are re-read every TLS_RELOAD_MS and, when they changed and
 * form a valid pair, become the server's secure context. Open connections keep the one they
 * negotiated, new handshakes get the new one, so nothing is dropped. A pair caught half-written
 * (new certificate, old key) is not applied; the next check, once both are new, is.
 */
export function reloadTlsOnChange(
  server: Server,
  initial: TlsCredentials,
  config: TlsEnv,
  logger: TlsReloadLogger,
): () => void {
  let current = initial;
  let warned = false;
  const timer = setInterval(() => {
    Promise.all([readFile(config.TLS_CERT_FILE as string), readFile(config.TLS_KEY_FILE as string)])
      .then(([cert, key]) => {
        if (cert.equals(current.cert) && key.equals(current.key)) return;
        server.setSecureContext({ cert, key, minVersion: 'TLSv1.2' });
        current = { cert, key };
        warned = false;
        logger.log({}, 'TLS certificate reloaded');
      })
      .catch((err: Error) => {
        if (!warned)
          logger.warn(
            { reason: err.message },
            'TLS files not usable yet; keeping the current certificate',
          );
        warned = true;
      });
  }, config.TLS_RELOAD_MS);
  timer.unref();
  return () => clearInterval(timer);
}
