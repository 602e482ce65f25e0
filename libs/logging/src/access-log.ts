/** Fields of a request's access line that only the web framework knows (see request-logging.ts). */
export interface AccessLogFields {
  /** The route template (`/projects`), never the raw URL; `unmatched` when no route matched. */
  route: string;
  /** The upstream the route forwards to (gateway routes). */
  upstream?: string;
}
