import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The include directories every loader of proto/*.proto needs besides proto/ itself: where
 * `import "google/api/annotations.proto"` (the HTTP rules, docs/adr/0007-grpc-json-transcoding.md)
 * and what it imports (google/api/http.proto, google/protobuf/descriptor.proto) are found. protobufjs,
 * a runtime dependency of @grpc/proto-loader, ships those files in its package directory: the one
 * copy every loader uses. scripts/proto-gen.ts and process-topology/ name the same directory.
 */
export const PROTO_INCLUDE_DIRS: readonly string[] = [packageDir('protobufjs')];

/**
 * A package's directory, found by walking up from this module as Node resolves a hoisted package:
 * from the sources, from the webpack bundle in dist/apps/<app>/ (where `require.resolve` would be
 * compiled into a module id) and from the image's /app/node_modules.
 */
function packageDir(name: string, from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`node_modules/${name} not found above ${from}`);
  }
}
