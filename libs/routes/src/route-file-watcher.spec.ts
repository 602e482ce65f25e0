import type { ConfigError } from '@app/env';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../../../test/support/eventually';
import { loadRouteFile } from './load-route-file';
import { TEST_DEFAULTS } from './route-file.fixture';
import {
  routeFileReloader,
  watchRouteFile,
  type RouteFileWatchOptions,
} from './route-file-watcher';
import type { RouteTable } from './route-model';

/** A tiny service: its methods are what a route file's gRPC route must find. */
const proto = (...methods: string[]) =>
  [
    'syntax = "proto3";',
    'package tiny;',
    `service Greeter { ${methods.map((m) => `rpc ${m} (Req) returns (Req) {}`).join(' ')} }`,
    'message Req { string name = 1; }',
    '',
  ].join('\n');

/** A route file with one gRPC route to tiny.Greeter/Hello; `limit` tells one table from another. */
const routeFile = (limit: number, protoPath = 'tiny.proto') =>
  stringify({
    formatVersion: 1,
    upstreams: { tiny: { kind: 'grpc', target: 'dns:///tiny:6000', protos: [protoPath] } },
    routes: [
      {
        name: 'hello',
        match: { methods: ['POST'], path: { exact: '/hello' } },
        upstream: 'tiny',
        grpc: { service: 'tiny.Greeter', method: 'Hello' },
        rateLimit: { limit },
      },
    ],
  });

const limitOf = (table: RouteTable) => table.routes[0].rateLimit?.limit;

/** What a watcher reported, in order. */
function recorder() {
  const tables: RouteTable[] = [];
  const refusals: ConfigError[] = [];
  return {
    tables,
    refusals,
    onTable: (table: RouteTable) => void tables.push(table),
    onRefused: (error: ConfigError) => void refusals.push(error),
  };
}

/**
 * The kubelet's AtomicWriter: each update is a new `..<timestamp>` directory, a `..data_tmp`
 * symlink to it renamed over `..data`, then the old directory removed; each visible file is a
 * symlink `name -> ..data/name`, made once.
 */
function configMapWriter(dir: string) {
  let updates = 0;
  return (files: Record<string, string>) => {
    const stamp = `..2026_12_04_15_40_00.${String(++updates).padStart(9, '0')}`;
    mkdirSync(join(dir, stamp));
    for (const [name, content] of Object.entries(files))
      writeFileSync(join(dir, stamp, name), content);
    const data = join(dir, '..data');
    const old = existsSync(data) ? readlinkSync(data) : undefined;
    symlinkSync(stamp, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), data);
    for (const name of Object.keys(files))
      if (!existsSync(join(dir, name))) symlinkSync(join('..data', name), join(dir, name));
    if (old !== undefined) rmSync(join(dir, old), { recursive: true });
  };
}

describe('route file reloads', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'route-watch-'));
    file = join(dir, 'routes.yaml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The first table, as the gateway loaded it at start-up. */
  const startWith = (content: string, protoText = proto('Hello')) => {
    writeFileSync(join(dir, 'tiny.proto'), protoText);
    writeFileSync(file, content);
    return loadRouteFile(file, TEST_DEFAULTS).version;
  };

  describe('routeFileReloader (one check at a time)', () => {
    it('loads nothing for the same bytes, and reports nothing for a table of the current version', () => {
      const events = recorder();
      const reloader = routeFileReloader(file, TEST_DEFAULTS, {
        currentVersion: startWith(routeFile(1)),
        ...events,
      });
      expect(reloader.check()).toBe('current');
      // A touch: new modification time, same bytes.
      writeFileSync(file, routeFile(1));
      utimesSync(file, new Date(2030, 0, 1), new Date(2030, 0, 1));
      expect(reloader.check()).toBe('unchanged');
      // Other bytes, the same table.
      writeFileSync(file, `# a comment\n${routeFile(1)}`);
      expect(reloader.check()).toBe('current');
      expect(events.tables).toEqual([]);
      expect(events.refusals).toEqual([]);
    });

    it('refuses a bad content once however often it is read, keeps the current table, then takes the fix', () => {
      const events = recorder();
      const reloader = routeFileReloader(file, TEST_DEFAULTS, {
        currentVersion: startWith(routeFile(1)),
        ...events,
      });
      writeFileSync(file, routeFile(1).replace('upstream: tiny', 'upstream: nowhere'));
      expect([reloader.check(), reloader.check(), reloader.check()]).toEqual([
        'refused',
        'unchanged',
        'unchanged',
      ]);
      expect(events.refusals.map((error) => error.message)).toEqual([
        `${file}: routes[0] "hello": upstream: no upstream named "nowhere"`,
      ]);
      // Back to the current table: nothing to report.
      writeFileSync(file, routeFile(1));
      expect(reloader.check()).toBe('current');
      writeFileSync(file, routeFile(2));
      expect(reloader.check()).toBe('table');
      expect(events.tables.map(limitOf)).toEqual([2]);
      expect(events.refusals).toHaveLength(1);
    });

    it('refuses a deleted file once and takes it back when it reappears', () => {
      const events = recorder();
      const reloader = routeFileReloader(file, TEST_DEFAULTS, {
        currentVersion: startWith(routeFile(1)),
        ...events,
      });
      unlinkSync(file);
      expect([reloader.check(), reloader.check()]).toEqual(['refused', 'unchanged']);
      expect(events.refusals.map((error) => error.message)).toEqual([
        expect.stringMatching(/routes\.yaml: cannot read the route file \(ENOENT/),
      ]);
      writeFileSync(file, routeFile(2));
      expect(reloader.check()).toBe('table');
      expect(events.tables.map(limitOf)).toEqual([2]);
    });

    it('reloads when only a listed .proto changes, and when a refused .proto is fixed', () => {
      const events = recorder();
      const reloader = routeFileReloader(file, TEST_DEFAULTS, {
        currentVersion: startWith(routeFile(1)),
        ...events,
      });
      expect(reloader.check()).toBe('current');
      expect(reloader.watchedPaths()).toEqual([file, join(dir, 'tiny.proto')]);
      writeFileSync(join(dir, 'tiny.proto'), proto('Goodbye'));
      expect(reloader.check()).toBe('refused');
      expect(events.refusals[0].message).toMatch(/"tiny\.Greeter" has no method "Hello"/);
      // A route file refused because of its .proto (this one is missing) is taken once the .proto is there.
      writeFileSync(file, routeFile(2, 'more/tiny.proto'));
      expect(reloader.check()).toBe('refused');
      mkdirSync(join(dir, 'more'));
      writeFileSync(join(dir, 'more/tiny.proto'), proto('Hello'));
      expect(reloader.check()).toBe('table');
      expect(events.tables.map(limitOf)).toEqual([2]);
      expect(reloader.watchedPaths()).toEqual([file, join(dir, 'more/tiny.proto')]);
    });
  });

  describe('watchRouteFile', () => {
    let stop: (() => void) | undefined;
    afterEach(() => stop?.());

    /** Events only: the poll would come after any test's time is up. */
    const watchWith = (currentVersion: string, options: Partial<RouteFileWatchOptions> = {}) => {
      const events = recorder();
      ({ stop } = watchRouteFile(file, TEST_DEFAULTS, {
        pollMs: 3_600_000,
        currentVersion,
        ...events,
        ...options,
      }));
      return events;
    };
    const tablesReach = (events: ReturnType<typeof recorder>, limits: number[]) =>
      eventually(() => expect(events.tables.map(limitOf)).toEqual(limits), 10_000);

    it('reports at once a file that changed after the caller loaded it', () => {
      startWith(routeFile(2));
      const events = watchWith('sha256:what-the-gateway-loaded');
      expect(events.tables.map(limitOf)).toEqual([2]);
    });

    it('takes a Kubernetes ConfigMap update, twice in a row', async () => {
      const update = configMapWriter(dir);
      update({ 'routes.yaml': routeFile(1), 'tiny.proto': proto('Hello') });
      const events = watchWith(loadRouteFile(file, TEST_DEFAULTS).version);
      update({ 'routes.yaml': routeFile(2), 'tiny.proto': proto('Hello') });
      await tablesReach(events, [2]);
      // The method renamed in both files at once: valid only as a whole.
      update({
        'routes.yaml': routeFile(3).replace('method: Hello', 'method: Hi'),
        'tiny.proto': proto('Hi'),
      });
      await tablesReach(events, [2, 3]);
      expect(events.refusals).toEqual([]);
    });

    it('takes a file written in place', async () => {
      const events = watchWith(startWith(routeFile(1)));
      writeFileSync(file, routeFile(2));
      await tablesReach(events, [2]);
    });

    it('takes a file written beside and renamed over', async () => {
      const events = watchWith(startWith(routeFile(1)));
      writeFileSync(join(dir, '.routes.yaml.swp'), routeFile(2));
      renameSync(join(dir, '.routes.yaml.swp'), file);
      await tablesReach(events, [2]);
    });

    it('refuses an invalid file, keeps the last good table, and takes the fix', async () => {
      const events = watchWith(startWith(routeFile(1)));
      writeFileSync(file, 'formatVersion: 1\nupstreams: {}\nroutes: [');
      await eventually(() => expect(events.refusals).toHaveLength(1), 10_000);
      expect(events.refusals[0].message).toMatch(/^[^\n]*routes\.yaml: line \d+, column \d+: /);
      writeFileSync(file, routeFile(2));
      await tablesReach(events, [2]);
      expect(events.refusals).toHaveLength(1);
    });

    it('refuses a deleted file and takes it when it is back', async () => {
      const events = watchWith(startWith(routeFile(1)));
      unlinkSync(file);
      await eventually(() => expect(events.refusals).toHaveLength(1), 10_000);
      expect(events.refusals[0].message).toMatch(/cannot read the route file \(ENOENT/);
      writeFileSync(file, routeFile(2));
      await tablesReach(events, [2]);
    });

    it("hears a change of a listed .proto in its own directory, and follows the new table's protos", async () => {
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'a/tiny.proto'), proto('Hello'));
      writeFileSync(join(dir, 'b/tiny.proto'), proto('Hello'));
      writeFileSync(file, routeFile(1, 'a/tiny.proto'));
      const events = watchWith(loadRouteFile(file, TEST_DEFAULTS).version);
      writeFileSync(join(dir, 'a/tiny.proto'), proto('Goodbye'));
      await eventually(() => expect(events.refusals).toHaveLength(1), 10_000);
      expect(events.refusals[0].message).toMatch(/a\/tiny\.proto|has no method "Hello"/);
      writeFileSync(file, routeFile(2, 'b/tiny.proto'));
      await tablesReach(events, [2]);
      writeFileSync(join(dir, 'b/tiny.proto'), proto('Goodbye'));
      await eventually(() => expect(events.refusals).toHaveLength(2), 10_000);
    });

    it('finds a change by polling alone when no event arrives', async () => {
      const events = watchWith(startWith(routeFile(1)), { watchEvents: false, pollMs: 100 });
      writeFileSync(file, routeFile(2));
      await tablesReach(events, [2]);
      unlinkSync(file);
      await eventually(() => expect(events.refusals).toHaveLength(1), 10_000);
    });

    it('reports nothing once stopped', async () => {
      const current = startWith(routeFile(1));
      const stopped = watchWith(current, { pollMs: 20 });
      stop?.();
      // A second watcher, polling as often, witnesses that its checks ran meanwhile.
      const witness = watchWith(current, { watchEvents: false, pollMs: 20 });
      writeFileSync(file, routeFile(2));
      await tablesReach(witness, [2]);
      writeFileSync(file, routeFile(3));
      await tablesReach(witness, [2, 3]);
      expect(stopped.tables).toEqual([]);
      expect(stopped.refusals).toEqual([]);
    });
  });
});
