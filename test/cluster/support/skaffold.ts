// The real skaffold (.tools/bin/skaffold of local-cluster/lib/addons.sh, with Helm 3 and Debian's
// docker client) against the local cluster: images built by the cluster's own Docker engine, pushed
// to the local registry the kubelet pulls from. Its global config turns off everything that would
// call out: metrics, update check, survey.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, LOGS, REPO } from './cluster.ts';
import { hostEndpoints } from './endpoints.ts';
import { killedOnExit } from './host-process.ts';

const SKAFFOLD = join(REPO, '.tools/bin/skaffold');

const home = mkdtempSync(join(tmpdir(), 'gs-skaffold-'));
const configFile = join(home, 'config');
writeFileSync(
  configFile,
  'global:\n  collect-metrics: false\n  update-check: false\n  survey:\n    disable-prompt: true\nkubeContexts: []\n',
);

export interface Result {
  code: number | null;
  output: string;
}

/**
 * Every command in `namespace` (SKAFFOLD_NAMESPACE is skaffold's -n, and skaffold.yaml's release
 * and port-forwards follow it) with the local registry as --default-repo.
 */
function invocation(namespace: string, args: string[]) {
  const { registry, dockerSocket } = hostEndpoints();
  return {
    args: [...args, '--default-repo', registry],
    env: {
      ...process.env,
      PATH: `${join(REPO, '.tools/bin')}:${process.env.PATH}`,
      HOME: home,
      KUBECONFIG,
      DOCKER_HOST: `unix://${dockerSocket}`,
      SKAFFOLD_CONFIG: configFile,
      SKAFFOLD_UPDATE_CHECK: 'false',
      SKAFFOLD_INTERACTIVE: 'false',
      SKAFFOLD_NAMESPACE: namespace,
    },
  };
}

/** Runs a skaffold command to its end (bounded by timeoutMs); never throws. */
export function skaffold(namespace: string, args: string[], timeoutMs = 900_000): Promise<Result> {
  const run = invocation(namespace, args);
  return new Promise((resolve) => {
    execFile(
      SKAFFOLD,
      run.args,
      {
        cwd: REPO,
        env: run.env,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? null) : 0,
          output: stdout + stderr,
        }),
    );
  });
}

/** A long-running skaffold (dev): its output as it comes, stopped with SIGINT as a user would. */
export class SkaffoldProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly forget: () => void;

  constructor(namespace: string, args: string[]) {
    const run = invocation(namespace, args);
    this.child = spawn(SKAFFOLD, run.args, {
      cwd: REPO,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Also in the cluster's log directory, to read while it runs.
    mkdirSync(LOGS, { recursive: true });
    const log = createWriteStream(join(LOGS, `test-skaffold-${args[0]}.log`));
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        this.output.push(chunk.toString());
        log.write(chunk);
      });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.forget = killedOnExit(this.child);
  }

  text(): string {
    return this.output.join('');
  }

  /** SIGINT (skaffold dev then deletes what it deployed), SIGKILL after timeoutMs. */
  async stop(timeoutMs = 180_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.forget();
    return code;
  }
}

process.once('exit', () => rmSync(home, { recursive: true, force: true }));
