// The local cluster the cluster tests run on (local-cluster/cluster.sh), and the two clients they
// drive it with: the real kubectl and the real helm. Every call has a timeout and fails loudly with
// what the command printed.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHART, REPO } from '../../k8s/support/tools.ts';
import { describeClusterTrouble, namespaceOf, waitsForWorkloads } from './diagnosis.ts';

export { CHART, REPO };
/** What cluster.sh keeps: kubeconfig, PKI, its binaries and add-ons (bin/), state/ (PIDs, logs). */
export const CLUSTER_DIR = join(REPO, '.tools/cluster');
export const KUBECONFIG = join(CLUSTER_DIR, 'kubeconfig');
export const CLUSTER_BIN = join(CLUSTER_DIR, 'bin');
export const LOGS = join(CLUSTER_DIR, 'state/logs');
const BIN = join(REPO, '.tools/bin');
export const KUBECTL = join(BIN, 'kubectl');
const CLUSTER_SCRIPT = join(REPO, 'local-cluster/cluster.sh');
const execFileAsync = promisify(execFile);
const HINT =
  'the cluster tests need the local cluster: run `npm run cluster -- up` as root (docs/local-cluster.md)';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  timeoutMs?: number;
  /** Written to the command's stdin. */
  input?: string;
}

function exec(file: string, args: string[], options: CommandOptions): CommandResult {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${HINT}`);
  const result = spawnSync(file, args, {
    cwd: REPO,
    env: { ...process.env, KUBECONFIG },
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${file} ${args.join(' ')}: ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The failure of a command that waited for workloads, with what the cluster says about why. */
export function waitFailure(what: string, args: readonly string[], output: string): Error {
  const diagnosis = waitsForWorkloads(args)
    ? `\ncluster state:\n${describeClusterTrouble(kubectlResult, CLUSTER_DIR, namespaceOf(args))}`
    : '';
  return new Error(`${what}:\n${output}${diagnosis}`);
}

function checked(result: CommandResult, file: string, args: string[]): string {
  if (result.status !== 0)
    throw waitFailure(
      `${file} ${args.join(' ')} exited ${result.status}`,
      args,
      `${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/** kubectl, never throwing on a non-zero exit (default timeout 60 s). */
export function kubectlResult(args: string[], options: CommandOptions = {}): CommandResult {
  return exec(KUBECTL, args, { timeoutMs: 60_000, ...options });
}

/** kubectl's stdout; throws with its output when it fails. */
export function kubectl(args: string[], options: CommandOptions = {}): string {
  return checked(kubectlResult(args, options), 'kubectl', args);
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects are free-form JSON; callers name the fields they read */
export function kubectlJson<T = any>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

/** Applies objects (JSON is YAML). */
export function apply(...objects: object[]): void {
  kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  });
}

/** helm's stdout; throws with its output when it fails (default timeout 300 s). */
export function helm(args: string[], timeoutMs = 300_000): string {
  return checked(exec(join(BIN, 'helm'), args, { timeoutMs }), 'helm', args);
}

export interface CommandOutcome {
  code: number;
  stdout: string;
  /** stdout, stderr and the error, for messages. */
  output: string;
}

/**
 * A command without blocking this process (bounded by timeoutMs); never throws on a non-zero exit.
 * What runs while a spec's own load is measured must be this: a blocking call stops the load too,
 * and a disruption nobody sent requests through proves nothing.
 */
async function execAsync(file: string, args: string[], timeoutMs: number): Promise<CommandOutcome> {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${HINT}`);
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: REPO,
      env: { ...process.env, KUBECONFIG },
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, output: `${stdout}${stderr}` };
  } catch (err) {
    const failed = err as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}${String(err)}`,
    };
  }
}

/** kubectl without blocking this process (default timeout 60 s); never throws on a non-zero exit. */
export function kubectlAsync(args: string[], timeoutMs = 60_000): Promise<CommandOutcome> {
  return execAsync(KUBECTL, args, timeoutMs);
}

/** helm without blocking this process; throws with its output when it fails. */
export async function helmAsync(args: string[], timeoutMs = 300_000): Promise<string> {
  const outcome = await execAsync(join(BIN, 'helm'), args, timeoutMs);
  if (outcome.code !== 0)
    throw waitFailure(`helm ${args.join(' ')} exited ${outcome.code}`, args, outcome.output);
  return outcome.stdout;
}

/** A command of local-cluster/cluster.sh (`npm run cluster -- <command>`). */
export type ClusterCommand =
  | 'up'
  | 'images'
  | 'status'
  | 'down'
  | 'node-link'
  | 'pod-freeze'
  | 'gateway-api-crds'
  | 'conformance';

/** `npm run cluster -- <command> [args]`, its output streamed to this process's; throws when it fails. */
export async function clusterScript(command: ClusterCommand, args: string[] = []): Promise<void> {
  const code = await clusterScriptStatus(command, args);
  if (code !== 0) throw new Error(`cluster.sh ${command} exited ${code}`);
}

/** local-cluster/cluster.sh COMMAND, its output on this process's; resolves to its exit code. */
export function clusterScriptStatus(
  command: ClusterCommand,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLUSTER_SCRIPT, command, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function clusterIsUp(): boolean {
  if (!existsSync(KUBECONFIG) || !existsSync(KUBECTL)) return false;
  return kubectlResult(['get', '--raw', '/readyz'], { timeoutMs: 10_000 }).status === 0;
}

/** The cluster's Nodes and whether each is Ready. */
export function clusterNodes(): { name: string; ready: boolean }[] {
  return kubectlJson<{
    items: {
      metadata: { name: string };
      status: { conditions?: { type: string; status: string }[] };
    }[];
  }>(['get', 'nodes']).items.map((node) => ({
    name: node.metadata.name,
    ready: node.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  }));
}
