import { ConfigError } from '@app/env';
import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, realpathSync, statSync, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { loadRouteFile } from './load-route-file';
import type { RouteDefaults } from './route-defaults';
import type { RouteTable } from './route-model';

export interface RouteFileReloadOptions {
  /** Version of the table the gateway serves now (it loaded the file at start-up). */
  currentVersion: string;
  /** A valid table of another version: it is current from now on. */
  onTable(table: RouteTable): void;
  /** The file (or a .proto it lists) is invalid or unreadable: the current table stays. */
  onRefused(error: ConfigError): void;
}

export interface RouteFileWatchOptions extends RouteFileReloadOptions {
  /** Fallback check interval, for volumes whose change events never arrive (ROUTES_RELOAD_POLL_MS). */
  pollMs: number;
  /** Quiet period after a change event before the check: one save or swap, one reload (default 150). */
  debounceMs?: number;
  /** false: no fs.watch, the poll alone finds changes (default true). */
  watchEvents?: boolean;
}

/**
 * What one check found: nothing read differs from the last check (`unchanged`), the file reads to
 * the current table (`current`), a new table was reported (`table`) or the file was refused.
 */
export type RouteFileCheck = 'unchanged' | 'current' | 'table' | 'refused';

export interface RouteFileReloader {
  /** Reads the file and its protos, and reloads only when their bytes changed since the last check. */
  check(): RouteFileCheck;
  /** The route file and the .proto files its last read content lists, as named (absolute). */
  watchedPaths(): readonly string[];
}

/**
 * The reload rule, without any trigger: a change of the bytes of the file or of a .proto it lists
 * means a load; a load of the current version is no news; a refusal is reported once per content
 * read, not on every check that reads it again.
 */
export function routeFileReloader(
  path: string,
  defaults: RouteDefaults,
  options: RouteFileReloadOptions,
): RouteFileReloader {
  const baseDir = dirname(resolve(path));
  let currentVersion = options.currentVersion;
  let lastFingerprint: string | undefined;
  let last = { fileHash: '', protos: [] as string[] };

  const read = (): string => {
    const file = readOrCode(path);
    const fileHash = sha256(file);
    // The proto list only changes with the file's bytes: reparse it only then.
    if (fileHash !== last.fileHash) last = { fileHash, protos: protoPathsIn(file, baseDir) };
    const hash = createHash('sha256').update(fileHash);
    for (const proto of last.protos) hash.update(`\0${proto}\0${sha256(readOrCode(proto))}`);
    return hash.digest('hex');
  };

  return {
    check() {
      const fingerprint = read();
      if (fingerprint === lastFingerprint) return 'unchanged';
      lastFingerprint = fingerprint;
      let table: RouteTable;
      try {
        table = loadRouteFile(path, defaults);
      } catch (err) {
        options.onRefused(
          err instanceof ConfigError
            ? err
            : new ConfigError(`${path}: ${(err as Error).message.split('\n')[0]}`),
        );
        return 'refused';
      }
      if (table.version === currentVersion) return 'current';
      currentVersion = table.version;
      options.onTable(table);
      return 'table';
    },
    watchedPaths: () => [resolve(path), ...last.protos],
  };
}

/**
 * Keeps the table of the route file at `path` (ROUTES_FILE) current: watches the directories of
 * the file and of the .proto files it lists, and checks (routeFileReloader) once the events have
 * been quiet for `debounceMs` - a Kubernetes ConfigMap swap (a new `..<timestamp>` directory, the
 * `..data` symlink renamed over) or an editor's save are several events - and every `pollMs`.
 * Checks at once, so a file changed since the caller loaded it is reported before this returns. Timers and watchers never keep the process alive; stop() ends them.
 */
export function watchRouteFile(
  path: string,
  defaults: RouteDefaults,
  options: RouteFileWatchOptions,
): { stop(): void } {
  const { pollMs, debounceMs = 150, watchEvents = true } = options;
  const reloader = routeFileReloader(path, defaults, options);
  // Each watched directory with its inode when watched: a directory removed and made again needs a
  // new watcher, the old one hears nothing more.
  const watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  let stopped = false;
  let quiet: NodeJS.Timeout | undefined;

  const check = () => {
    if (stopped) return;
    reloader.check();
    if (watchEvents) follow(directoriesOf(reloader.watchedPaths()));
  };

  const onEvent = () => {
    clearTimeout(quiet);
    quiet = setTimeout(check, debounceMs).unref();
  };

  /** Watches exactly `dirs`; one that cannot be watched (yet) is tried again at the next check. */
  const follow = (dirs: Set<string>) => {
    for (const [dir, { watcher, ino }] of watchers)
      if (!dirs.has(dir) || inodeOf(dir) !== ino) {
        watcher.close();
        watchers.delete(dir);
      }
    for (const dir of dirs) {
      const ino = inodeOf(dir);
      if (watchers.has(dir) || ino === undefined) continue;
      try {
        const watcher = watch(dir, { persistent: false }, onEvent);
        watcher.on('error', () => {
          // Forget it: the next check watches the directory again if it is still needed.
          watcher.close();
          if (watchers.get(dir)?.watcher === watcher) watchers.delete(dir);
          onEvent();
        });
        watchers.set(dir, { watcher, ino });
      } catch {
        // Gone meanwhile, or no inotify watches left: the poll still finds the change.
      }
    }
  };

  if (watchEvents) follow(directoriesOf(reloader.watchedPaths()));
  check();
  const poll = setInterval(check, pollMs).unref();
  return {
    stop() {
      stopped = true;
      clearInterval(poll);
      clearTimeout(quiet);
      for (const { watcher } of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/**
 * The directories whose entries change when these files do: each one's own, and, for a symlink,
 * its target's (an edit in place behind a symlink is an event there only).
 */
function directoriesOf(paths: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const path of paths) {
    dirs.add(dirname(path));
    try {
      dirs.add(dirname(realpathSync(path)));
    } catch {
      // Missing now: its own directory tells when it comes back.
    }
  }
  return dirs;
}

function inodeOf(dir: string): number | undefined {
  try {
    return statSync(dir).ino;
  } catch {
    return undefined;
  }
}

/** The bytes of a file, or its error code: a file that cannot be read is a state of its own. */
function readOrCode(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch (err) {
    return `!${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
}

function sha256(data: Buffer | string): string {
  // Tagged, so that no file's bytes hash like an error code.
  return createHash('sha256')
    .update(typeof data === 'string' ? 'error' : 'bytes')
    .update(data)
    .digest('hex');
}

/**
 * The .proto paths a route file's content lists, read leniently (the load judges validity): a
 * file that fails to load because of a .proto is reloaded once that .proto is fixed.
 */
function protoPathsIn(file: Buffer | string, baseDir: string): string[] {
  if (typeof file === 'string') return [];
  let raw: unknown;
  try {
    raw = parseDocument(file.toString('utf8')).toJS();
  } catch {
    return [];
  }
  const upstreams = (raw as { upstreams?: unknown } | null)?.upstreams;
  if (upstreams === null || typeof upstreams !== 'object') return [];
  const paths = Object.values(upstreams).flatMap((upstream: unknown) => {
    const protos = (upstream as { protos?: unknown } | null)?.protos;
    return Array.isArray(protos) ? protos.filter((p) => typeof p === 'string') : [];
  });
  // As the load resolves them (route-table-from-file.ts): against the file's directory.
  return [...new Set(paths.map((proto: string) => resolve(baseDir, proto)))].sort();
}
