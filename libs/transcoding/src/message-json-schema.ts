import type { Type } from 'protobufjs';
import { MessageSchemaSet } from './message-schema-set';
import type { JsonSchema, SchemaIo } from './scalar-json-schema';

/**
 * A standalone JSON Schema (draft 2020-12) of `type` in the proto3 JSON mapping, as the transcoder
 * treats it: `io: 'input'` (the default) is what a request body may be, `'output'` what a reply
 * body is. The root refers to its own `$defs`, one per ordinary message reached (recursion works).
 */
export function messageJsonSchema(type: Type, io: SchemaIo = 'input'): JsonSchema {
  const set = new MessageSchemaSet({ io });
  const root = set.message(type);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...root,
    ...(Object.keys(set.defs).length > 0 ? { $defs: set.defs } : {}),
  };
}
