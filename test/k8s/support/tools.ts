// Locates the external tools the k8s tests drive (helm, go, promtool) and fails loudly with the
// install hint when one is missing: a test that silently skips would prove nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above the working directory with nest-cli.json. */
function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nest-cli.json above ${from}`);
  }
}

export const REPO = findRepo(process.cwd());
export const CHART = join(REPO, 'charts/gateway-stack');

const HINTS: Record<string, string> = {
  helm: 'run `source scripts/bootstrap.sh` (builds the pinned helm into .tools/bin with go install)',
  go: 'install Go (apt-get install golang, or https://go.dev/dl): the tests fetch the Kubernetes OpenAPI and CRD schemas as Go modules',
  promtool:
    'run `source scripts/bootstrap.sh` (installs the Debian `prometheus` package, which ships promtool)',
};

/** Absolute path of a tool: .tools/bin first (what bootstrap.sh installs), then PATH. */
export function tool(name: 'helm' | 'go' | 'promtool'): string {
  const local = join(REPO, '.tools/bin', name);
  if (existsSync(local)) return local;
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  throw new Error(`${name} not found. The k8s tests need it: ${HINTS[name]}.`);
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, capturing output; never throws on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Downloads (or finds in the Go module cache) one module version and returns its directory. */
export function goModuleDir(module: string, version: string): string {
  const out = execFileSync(tool('go'), ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: '/',
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    encoding: 'utf8',
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? out}`);
  return info.Dir;
}
