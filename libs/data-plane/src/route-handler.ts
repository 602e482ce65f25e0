import type { FastifyReply, FastifyRequest } from 'fastify';

/** Serves one request of a matched route; `params` are its path template's variables. */
export type RouteHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  params: Readonly<Record<string, string | undefined>>,
) => Promise<void>;

/** The request body as bytes to forward: JSON as parsed re-serialised, others as received. */
export function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

/** The request's path without its query string, and the query string with its `?` (or ''). */
export function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark) };
}
