import type { Options } from '@grpc/proto-loader';
import loaderOptions from '../../../proto/loader-options.json';

/**
 * How every process loads proto/*.proto. proto/loader-options.json is shared with
 * scripts/proto-gen.ts, so the generated types under ./generated describe exactly what the loader
 * yields. `defaults: true`: proto3 cannot tell "absent" from "zero", so handlers see both fields.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  ...loaderOptions,
  longs: String,
  enums: String,
};
