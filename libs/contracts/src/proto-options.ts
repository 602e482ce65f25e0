import type { Options } from '@grpc/proto-loader';
import loaderOptions from '../../../proto/loader-options.json';
import { PROTO_INCLUDE_DIRS } from './proto-include-dirs';

/**
 * How every process loads proto/*.proto. proto/loader-options.json is shared with
 * scripts/proto-gen.ts, so the generated types under ./generated describe exactly what the loader
 * yields. `defaults: true`: proto3 cannot tell "absent" from "zero", so handlers see both fields.
 * `includeDirs`: where the google/api protos of the HTTP rules are (./proto-include-dirs.ts).
 */
export const PROTO_LOADER_OPTIONS: Options = {
  ...loaderOptions,
  longs: String,
  enums: String,
  includeDirs: [...PROTO_INCLUDE_DIRS],
};
