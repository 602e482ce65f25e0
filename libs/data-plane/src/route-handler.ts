import type { FastifyReply, FastifyRequest } from 'fastify';

/** Serves one request of a matched route; `params` are its path template's variables. */
export type RouteHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  params: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

/**
 * The request body as bytes to forward: JSON as parsed re-serialised (any JSON value: `""`, `0`,
 * `false` and `null` too), a text/plain body as received, no body as none.
 */
export function bodyBytes(request: FastifyRequest): Buffer | undefined {
  const body = bodyOf(request);
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  // Fastify's text/plain parser gives a string too.
  if (!isJson(request)) return Buffer.from(String(body));
  return Buffer.from(JSON.stringify(body));
}

/** The parsed request body: any JSON value (null included), text, or undefined for none. */
export function bodyOf(request: FastifyRequest): unknown {
  const { body } = request;
  // Without a body Fastify may leave null, which only a JSON body means.
  return body === null && !isJson(request) ? undefined : body;
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && /^application\/json\s*(?:;|$)/i.test(type);
}

/** The request's path without its query string, and the query string with its `?` (or ''). */
export function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark) };
}
