import type { FastifyRequest } from 'fastify';
import { bodyBytes } from './route-handler';

const request = (body: unknown, contentType?: string) =>
  ({
    body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  }) as unknown as FastifyRequest;

describe('bodyBytes', () => {
  it.each([
    ['a JSON string', '', '""'],
    ['a JSON string with text', 'abc', '"abc"'],
    ['JSON null', null, 'null'],
    ['JSON false', false, 'false'],
    ['JSON 0', 0, '0'],
    ['a JSON object', { a: 1 }, '{"a":1}'],
  ])('forwards %s as JSON', (_, body, expected) => {
    expect(bodyBytes(request(body, 'application/json; charset=utf-8'))?.toString()).toBe(expected);
  });

  it('forwards text/plain as received, and no body as none', () => {
    expect(bodyBytes(request('abc', 'text/plain'))?.toString()).toBe('abc');
    expect(bodyBytes(request(undefined))).toBeUndefined();
    expect(bodyBytes(request(null))).toBeUndefined();
  });
});
