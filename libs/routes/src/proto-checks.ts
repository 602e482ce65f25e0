import { loadProtoRoot } from '@app/transcoding';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Namespace, Service } from 'protobufjs';
import type { RouteFile } from './route-file-fields';

/**
 * What the schema cannot see, as it reads no files: every .proto of a gRPC upstream exists and
 * parses, and every route to it calls a method its services have. One line per problem.
 */
export function protoProblems(file: RouteFile, sourceName: string, baseDir: string): string[] {
  const lines: string[] = [];
  const servicesOf = new Map<string, Map<string, string[]>>();
  for (const [name, upstream] of Object.entries(file.upstreams)) {
    if (upstream.kind !== 'grpc' || upstream.protos === undefined) continue;
    const at = `${sourceName}: upstreams ${JSON.stringify(name)}: protos`;
    const paths = upstream.protos.map((proto) => resolve(baseDir, proto));
    const missing = paths.flatMap((path, i) =>
      existsSync(path) ? [] : [`${at}[${i}]: no such file ${path}`],
    );
    if (missing.length > 0) {
      lines.push(...missing);
      continue;
    }
    try {
      servicesOf.set(name, servicesIn(paths));
    } catch (err) {
      lines.push(`${at}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  file.routes.forEach((route, index) => {
    if (route.grpc === undefined || route.upstream === undefined) return;
    const services = servicesOf.get(route.upstream);
    if (services === undefined) return;
    const at = `${sourceName}: routes[${index}] ${JSON.stringify(route.name)}: grpc`;
    const methods = services.get(route.grpc.service);
    if (methods === undefined)
      lines.push(
        `${at}.service: no service "${route.grpc.service}" in the protos of "${route.upstream}"`,
      );
    else if (!methods.includes(route.grpc.method))
      lines.push(`${at}.method: "${route.grpc.service}" has no method "${route.grpc.method}"`);
  });
  return lines;
}

/**
 * Fully qualified service name -> its method names, as the .proto files spell them. Loaded as the
 * data plane loads them (libs/transcoding): imports from the files' directories, then the
 * google/api and google/protobuf files protobufjs ships.
 */
function servicesIn(paths: string[]): Map<string, string[]> {
  const root = loadProtoRoot({
    files: paths,
    includeDirs: [...new Set(paths.map((p) => dirname(p)))],
  });
  const services = new Map<string, string[]>();
  const visit = (ns: Namespace): void => {
    for (const child of ns.nestedArray)
      if (child instanceof Service)
        services.set(child.fullName.slice(1), Object.keys(child.methods));
      else if (child instanceof Namespace) visit(child);
  };
  visit(root);
  return services;
}
