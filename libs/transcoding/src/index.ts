// gRPC-JSON transcoding from `google.api.http` annotations (docs/adr/0007-grpc-json-transcoding.md).
export { loadHttpRules } from './load-http-rules';
export { loadProtoRoot, type ProtoSource } from './load-proto-root';
export {
  readHttpRules,
  type HttpBinding,
  type HttpRules,
  type RefusedMethod,
} from './read-http-rules';
export { parsePathTemplate, type PathTemplate } from './path-template';
export { mapRequest, type HttpRequestParts } from './map-request';
export { mapResponse } from './map-response';
export { fieldByJsonKey, fromProtoJson, jsonNameOf, toProtoJson } from './proto-json';
export { isScalarLikeWellKnown } from './well-known-json';
export { messageJsonSchema } from './message-json-schema';
export { MessageSchemaSet, type MessageSchemaSetOptions } from './message-schema-set';
export { type JsonSchema, type SchemaIo } from './scalar-json-schema';
export { HttpRuleError, TranscodingError } from './transcoding-error';
