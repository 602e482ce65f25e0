import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Root, util } from 'protobufjs';

/** The .proto files of a gRPC upstream and the directories their imports are relative to. */
export interface ProtoSource {
  files: readonly string[];
  includeDirs?: readonly string[];
}

// protobufjs bundles google/protobuf/{any,duration,...}.proto itself, and ships
// google/api/{annotations,http}.proto and google/protobuf/descriptor.proto as files in its package
// directory: the last include directory, so that an upstream's own copies win.
const PROTOBUFJS_DIR = dirname(nodeRequire().resolve('protobufjs/package.json'));

declare const __non_webpack_require__: NodeJS.Require | undefined;

/** Node's own require: in the apps' webpack bundles `require.resolve` would yield a module id. */
function nodeRequire(): NodeJS.Require {
  return typeof __non_webpack_require__ === 'function' ? __non_webpack_require__ : require;
}

/**
 * Loads .proto files with their imports into one resolved protobufjs Root. Field names stay as
 * written in the .proto (keepCase), which the JSON mapping and `fromObject` both rely on.
 */
export function loadProtoRoot(source: ProtoSource): Root {
  const dirs = [...(source.includeDirs ?? []).map((d) => resolve(d)), PROTOBUFJS_DIR];
  const root = new Root();
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of dirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return util.path.resolve(origin, target);
  };
  // A file is found relative to the working directory first, then to the include directories.
  root.loadSync(
    source.files.map((f) => (existsSync(f) ? resolve(f) : f)),
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}
