import { execFileSync } from 'node:child_process';

const HINT = 'run scripts/bootstrap.sh (Debian packages and helm), or install it by hand';

/** The absolute path of a command on PATH; throws with an install hint when it is missing. */
export function requireTool(command: string, debianPackage?: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    const pkg = debianPackage ? ` (Debian package: ${debianPackage})` : '';
    throw new Error(`required tool "${command}" is not installed${pkg}: ${HINT}`);
  }
}
