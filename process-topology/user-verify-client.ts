import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  });
  const { userverify } = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new userverify.UserVerify(address, credentials.createInsecure());
}
