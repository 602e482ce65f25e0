import type { IncomingMessage } from 'node:http';

/** Fields of a request's access line that only the web framework knows. */
export interface AccessLogFields {
  /** The route template (`/projects`), never the raw URL; `unmatched` when no route matched. */
  route: string;
  /** The upstream the route forwards to (gateway routes). */
  upstream?: string;
}

const FIELDS = Symbol('access-log-fields');
type AnnotatedRequest = IncomingMessage & { [FIELDS]?: AccessLogFields };

/** Attaches the fields to the raw request, where the access line (pino-http) picks them up. */
export function annotateAccessLog(request: IncomingMessage, fields: AccessLogFields): void {
  (request as AnnotatedRequest)[FIELDS] = fields;
}

export function accessLogFields(request: IncomingMessage): AccessLogFields | undefined {
  return (request as AnnotatedRequest)[FIELDS];
}
