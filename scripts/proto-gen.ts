// Generates TypeScript types from proto/*.proto, the single source of the gRPC contract, with the
// loader options every process uses (proto/loader-options.json).
// Usage: node scripts/proto-gen.ts [--out DIR]   (default libs/contracts/src/generated)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export function generateProtoTypes(root: string, outDir: string): void {
  const options = JSON.parse(readFileSync(join(root, 'proto/loader-options.json'), 'utf8'));
  const flags = Object.entries(options).map(([key, value]) =>
    value === true ? `--${key}` : `--${key}=${String(value)}`,
  );
  const protos = readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto'));
  // The google/api protos of the HTTP rules, where every loader finds them (libs/contracts/src/proto-include-dirs.ts).
  const googleApi = dirname(
    createRequire(join(root, 'package.json')).resolve('protobufjs/package.json'),
  );
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    join(root, 'node_modules/.bin/proto-loader-gen-types'),
    [
      ...flags,
      '--grpcLib=@grpc/grpc-js',
      '-I',
      join(root, 'proto'),
      '-I',
      googleApi,
      '-O',
      outDir,
      ...protos,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // The generator writes absolute paths into a header comment; keep output machine-independent.
  for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const path = join(outDir, file);
    const text = readFileSync(path, 'utf8')
      .replaceAll(`${join(root, 'proto')}/`, 'proto/')
      .replaceAll(`${googleApi}/`, 'node_modules/protobufjs/');
    writeFileSync(path, text);
  }
}

if (process.argv[1]?.endsWith('proto-gen.ts')) {
  const root = process.cwd();
  const out = process.argv.includes('--out')
    ? process.argv[process.argv.indexOf('--out') + 1]
    : join(root, 'libs/contracts/src/generated');
  generateProtoTypes(root, out);
  console.log(`generated proto types into ${relative(root, out) || out}`);
}
