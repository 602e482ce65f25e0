// The local cluster the cluster tests run on (local-cluster/cluster.sh), and the two clients they
// drive it with: the real kubectl and the real helm. Every call has a timeout and fails loudly with
// what the command printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../k8s/support/tools.ts';

export { REPO };
export const CHART = join(REPO, 'charts/gateway-stack');
export const KUBECONFIG = join(REPO, '.tools/cluster/kubeconfig');
const BIN = join(REPO, '.tools/bin');
const CLUSTER_SCRIPT = join(REPO, 'local-cluster/cluster.sh');
const HINT =
  'the cluster tests need the local cluster: run `npm run cluster -- up` as root (README, "A real cluster on one machine")';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], timeoutMs: number, input?: string): CommandResult {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${HINT}`);
  const result = spawnSync(file, args, {
    cwd: REPO,
    env: { ...process.env, KUBECONFIG },
    encoding: 'utf8',
    input,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${file} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function checked(result: CommandResult, what: string): string {
  if (result.status !== 0)
    throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export function kubectlResult(args: string[], timeoutMs = 60_000, input?: string): CommandResult {
  return exec(join(BIN, 'kubectl'), args, timeoutMs, input);
}

export function kubectl(args: string[], timeoutMs = 60_000, input?: string): string {
  return checked(kubectlResult(args, timeoutMs, input), `kubectl ${args.join(' ')}`);
}

export function kubectlJson<T>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

export function helmResult(args: string[], timeoutMs = 300_000): CommandResult {
  return exec(join(BIN, 'helm'), args, timeoutMs);
}

export function helm(args: string[], timeoutMs = 300_000): string {
  return checked(helmResult(args, timeoutMs), `helm ${args.join(' ')}`);
}

/** `npm run cluster -- <command>`, its output streamed to this process's stderr. */
export function clusterScript(command: 'up' | 'images' | 'status' | 'down'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLUSTER_SCRIPT, command], {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cluster.sh ${command} exited ${code}`)),
    );
  });
}

export function clusterIsUp(): boolean {
  if (!existsSync(KUBECONFIG) || !existsSync(join(BIN, 'kubectl'))) return false;
  return kubectlResult(['get', '--raw', '/readyz'], 10_000).status === 0;
}
