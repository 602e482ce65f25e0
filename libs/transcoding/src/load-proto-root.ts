import { PROTO_INCLUDE_DIRS } from '@app/contracts';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Root, util } from 'protobufjs';

/** The .proto files of a gRPC upstream and the directories their imports are relative to. */
export interface ProtoSource {
  files: readonly string[];
  includeDirs?: readonly string[];
}

// protobufjs bundles google/protobuf/{any,duration,...}.proto itself; google/api/{annotations,http}.proto
// and google/protobuf/descriptor.proto come from the include directories every loader of proto/
// uses (@app/contracts): the last ones, so that an upstream's own copies win.

/**
 * Loads .proto files with their imports into one resolved protobufjs Root. Field names stay as
 * written in the .proto (keepCase), which the JSON mapping and `fromObject` both rely on.
 */
export function loadProtoRoot(source: ProtoSource): Root {
  const dirs = [...(source.includeDirs ?? []).map((d) => resolve(d)), ...PROTO_INCLUDE_DIRS];
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
