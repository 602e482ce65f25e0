import type { ChildProcess } from 'node:child_process';

// Children run in their own process group, so a Ctrl-C in the terminal reaches only the runner,
// which then stops them in order. If the runner itself dies, none may outlive it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Registers a child process the runner owns (killed if the runner exits first). Resolves with its
 * exit code once it exits, or null when a signal ended it.
 */
export function track(child: ChildProcess): Promise<number | null> {
  live.add(child);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(signal ? null : code);
    }),
  );
}

/** True while the child has neither exited nor been killed. */
export function isRunning(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Sends a signal and waits for the exit; SIGKILL and an error if it takes longer than timeoutMs. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  name: string,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<number | null> {
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not exit within ${timeoutMs} ms of ${signal}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The command line that runs `command` inside a cgroup (its `cgroup.procs` file), e.g. a
 * memory-limited one: a shell joins the cgroup and then becomes the command (exec keeps the pid).
 */
export function inCgroup(command: string[], cgroupProcs?: string): string[] {
  return cgroupProcs
    ? ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', cgroupProcs, ...command]
    : command;
}
