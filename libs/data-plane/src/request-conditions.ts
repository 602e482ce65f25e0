import type { RouteMatch } from '@app/routes';

/** As Node parses them: names lower case, a repeated field joined by `, ` (set-cookie a list). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Whether a request meets a route's conditions; `query` with or without its `?` ('' for none). */
export type RequestConditions = (headers: RequestHeaders, query: string) => boolean;

/**
 * Whether a request meets a route's header and query conditions (RouteMatch `headers`, `query`),
 * or null when the route has none - so a route without conditions costs the matcher one
 * comparison and no allocation. Header values compare exactly as Node joins a repeated field
 * (RFC 9110 section 5.3: `a, b`), so a header sent twice matches neither of its values alone;
 * a query parameter given twice compares by its first value, as URLSearchParams.get and the
 * Gateway API reference matcher (libs/gateway-api/src/served-match-lookup.ts) read it.
 */
export function requestConditions(
  match: Pick<RouteMatch, 'headers' | 'query'>,
): RequestConditions | null {
  if (match.headers.length === 0 && match.query.length === 0) return null;
  return (headers, query) => {
    for (const { name, value } of match.headers) {
      const given = headers[name];
      if ((typeof given === 'string' ? given : given?.join(', ')) !== value) return false;
    }
    if (match.query.length === 0) return true;
    const params = new URLSearchParams(query);
    return match.query.every(({ name, value }) => params.get(name) === value);
  };
}
