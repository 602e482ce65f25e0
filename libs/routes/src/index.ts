// The gateway's routes as data (docs/adr/0008-route-model.md): the model, the route file that
// describes it (docs/route-file.md), and the table today's environment implies.
export type * from './route-model';
export { HTTP_METHODS, REDIRECT_STATUS_CODES } from './route-model';
export { routeDefaultsOf, type RouteDefaults, type RouteDefaultsEnv } from './route-defaults';
export { type RouteFile } from './route-file-fields';
export { routeFileSchema } from './route-file-schema';
export { loadRouteFile } from './load-route-file';
export {
  parseRouteFile,
  parseRouteFileContent,
  parseRouteFileValue,
  type RouteFileSource,
} from './parse-route-file';
export { defaultRouteTable, type DefaultRouteTableEnv } from './default-route-table';
export {
  canonicalJson,
  createRouteTable,
  type RouteTableContent,
  routeTableVersion,
} from './route-table';
export { httpRuleSegments } from './route-path';
export { compileBodySchema, type BodyCheck, type BodyProblem } from './body-schema';
export { watchRouteFile, type RouteFileWatchOptions } from './route-file-watcher';
export { normalisePath } from './route-path';
export { HOP_BY_HOP_HEADERS } from './route-filter-headers';
