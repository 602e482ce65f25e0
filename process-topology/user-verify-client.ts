import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ProtoGrpcType } from '../libs/contracts/src/generated/userverify.ts';
import type { UserVerifyClient } from '../libs/contracts/src/generated/userverify/UserVerify.ts';
import { repoRoot } from './paths.ts';

/**
 * A plain grpc-js client of rpc-app-1's UserVerify for dev tooling (tests, benchmarks): loaded from
 * proto/ with the loader options every process uses, typed by the generated types.
 */
export function userVerifyClient(address: string): UserVerifyClient {
  const proto = join(repoRoot(), 'proto');
  const options = JSON.parse(readFileSync(join(proto, 'loader-options.json'), 'utf8'));
  const definition = loadSync(join(proto, 'userverify.proto'), {
    ...options,
    longs: String,
    enums: String,
    includeDirs: [protobufjsDir()],
  });
  const { userverify } = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new userverify.UserVerify(address, credentials.createInsecure());
}

// The google/api protos proto/userverify.proto imports, from protobufjs's package directory as in
// libs/contracts/src/proto-include-dirs.ts (which this ESM tooling does not load).
function protobufjsDir(): string {
  return dirname(
    createRequire(join(repoRoot(), 'package.json')).resolve('protobufjs/package.json'),
  );
}
