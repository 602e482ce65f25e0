import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseApiKeys } from './api-keys';

export interface KeyFileLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Keeps the keys of a mounted Secret file current without a restart. Kubernetes replaces a Secret
 * volume's files by swapping a symlink, which file watchers miss on some filesystems, so the file
 * is simply re-read every `intervalMs` (it is small) and applied when its content changed. An
 * unreadable or empty file keeps the last good keys: a half-written update must not lock
 * everyone out. The first read is synchronous and must succeed (start-up fails otherwise).
 */
export function watchApiKeyFile(
  path: string,
  intervalMs: number,
  apply: (keys: string[]) => void,
  logger: KeyFileLogger,
): () => void {
  let last = readFileSync(path, 'utf8');
  const initial = parseApiKeys(last);
  if (initial.length === 0) throw new Error(`AUTH_API_KEYS_FILE ${path} holds no key`);
  apply(initial);
  let failing = false;
  const timer = setInterval(() => {
    readFile(path, 'utf8').then(
      (text) => {
        failing = false;
        if (text === last) return;
        const keys = parseApiKeys(text);
        if (keys.length === 0) {
          logger.warn({ path }, 'API key file holds no key; keeping the previous keys');
          return;
        }
        last = text;
        apply(keys);
        logger.info({ path, keys: keys.length }, 'API keys reloaded');
      },
      (err: NodeJS.ErrnoException) => {
        if (!failing)
          logger.warn(
            { path, code: err.code },
            'API key file unreadable; keeping the previous keys',
          );
        failing = true;
      },
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
