import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testStack } from '../support/stack.ts';
import { requireTool } from '../support/tools.ts';

// Wire compatibility: a client generated from the ORIGINAL demo's .proto by another toolchain
// (protoc + grpc_python_plugin + python3-grpcio, from Debian) talks to rpc-app-1 directly.
describe('gRPC contract with the original .proto', () => {
  const stack = testStack();
  let stubs: string;

  beforeAll(async () => {
    const protoc = requireTool('protoc', 'protobuf-compiler');
    const plugin = requireTool('grpc_python_plugin', 'protobuf-compiler-grpc');
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import grpc']);
    } catch {
      throw new Error(
        'python3-grpcio is not installed (Debian package python3-grpcio): run scripts/bootstrap.sh',
      );
    }
    stubs = mkdtempSync(join(tmpdir(), 'userverify-py-'));
    const fixtures = join(__dirname, '../fixtures');
    // protoc names the output after the file: compile a copy called userverify.proto.
    execFileSync('sh', [
      '-c',
      `cp "${fixtures}/original-userverify.proto" "${stubs}/userverify.proto"`,
    ]);
    execFileSync(protoc, [
      `-I${stubs}`,
      `--python_out=${stubs}`,
      `--grpc_out=${stubs}`,
      `--plugin=protoc-gen-grpc=${plugin}`,
      join(stubs, 'userverify.proto'),
    ]);
    await stack.start();
  });
  afterAll(() => stack.stop());

  function call(...pairs: Array<[number, string]>): unknown[] {
    const out = execFileSync(
      '/usr/bin/python3',
      [
        join(__dirname, '../support/userverify_client.py'),
        stubs,
        stack.rpcApps[0].address,
        ...pairs.flatMap(([id, token]) => [String(id), token]),
      ],
      { encoding: 'utf8' },
    );
    return out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  }

  it('gets "Verified: <id>" for valid requests', () => {
    expect(call([121, 'a$$'], [2147483647, 'x'])).toEqual([
      { message: 'Verified: 121' },
      { message: 'Verified: 2147483647' },
    ]);
  });

  it('gets INVALID_ARGUMENT naming the field for invalid ones', () => {
    expect(call([0, 'a$$'], [5, ''])).toEqual([
      { code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^id /) },
      { code: 'INVALID_ARGUMENT', details: expect.stringMatching(/^token /) },
    ]);
  });
});
