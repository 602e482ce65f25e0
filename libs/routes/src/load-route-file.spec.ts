import { ConfigError } from '@app/env';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadRouteFile } from './load-route-file';
import { REPO_ROOT, TEST_DEFAULTS, validFile } from './route-file.fixture';
import type { GrpcUpstreamModel } from './route-model';

describe('loadRouteFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'route-file-'));
    // The files' protos are relative to their own directory.
    mkdirSync(join(dir, 'proto'));
    copyFileSync(join(REPO_ROOT, 'proto/userverify.proto'), join(dir, 'proto/userverify.proto'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('reads YAML and JSON files into the same table', () => {
    const yaml = loadRouteFile(write('routes.yaml', stringify(validFile())), TEST_DEFAULTS);
    const json = loadRouteFile(write('routes.json', JSON.stringify(validFile())), TEST_DEFAULTS);
    expect(json).toEqual(yaml);
    expect(yaml.routes.map((route) => route.name)).toEqual(['order', 'orders-list', 'verify']);
  });

  it("resolves .proto paths against the file's directory", () => {
    const table = loadRouteFile(write('routes.yaml', stringify(validFile())), TEST_DEFAULTS);
    const users = table.upstreams.find((u) => u.name === 'users') as GrpcUpstreamModel;
    expect(users.protos).toEqual([join(dir, 'proto/userverify.proto')]);
  });

  it('names the file as given in every error line', () => {
    const file = validFile();
    file.routes[1].upstream = 'order-svc';
    const path = write('bad.yaml', stringify(file));
    expect(() => loadRouteFile(path, TEST_DEFAULTS)).toThrow(ConfigError);
    expect(() => loadRouteFile(path, TEST_DEFAULTS)).toThrow(
      new ConfigError(`${path}: routes[1] "order": upstream: no upstream named "order-svc"`),
    );
  });

  it('says so in one line when the file cannot be read', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadRouteFile(path, TEST_DEFAULTS)).toThrow(
      /^[^\n]*missing\.yaml: cannot read the route file \(ENOENT[^\n]*\)$/,
    );
  });
});
