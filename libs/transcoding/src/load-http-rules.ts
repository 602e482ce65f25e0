import type { Root } from 'protobufjs';
import { loadProtoRoot, type ProtoSource } from './load-proto-root';
import { readHttpRules, type HttpRules } from './read-http-rules';

/** Loads a gRPC upstream's .proto files and reads their HTTP rules; the Root encodes and decodes. */
export function loadHttpRules(source: ProtoSource): HttpRules & { root: Root } {
  const root = loadProtoRoot(source);
  return { root, ...readHttpRules(root) };
}
