import { routeFileFields } from './route-file-fields';
import { checkRouteFile } from './route-file-checks';

/**
 * The route file's one schema: the fields (route-file-fields.ts, each with its description) and
 * the checks across them (route-file-checks.ts). It validates a file and renders
 * docs/route-file.md.
 */
export const routeFileSchema = routeFileFields
  .superRefine(checkRouteFile)
  .describe("The gateway's routes and upstreams.");
