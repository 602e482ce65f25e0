import type { Message } from 'protobufjs';
import { fieldToJson, toProtoJson } from './proto-json';
import type { HttpBinding } from './read-http-rules';

/** The JSON response body of a reply: the whole message, or the `response_body` field of it. */
export function mapResponse(
  binding: Pick<HttpBinding, 'responseType' | 'responseBody'>,
  reply: Message | Record<string, unknown>,
): unknown {
  return binding.responseBody === undefined
    ? toProtoJson(binding.responseType, reply)
    : fieldToJson(binding.responseType, binding.responseBody, reply);
}
