import { ConfigError } from '@app/env';
import { flushLogs } from '@app/logging';

/**
 * Runs an app's start-up and turns a failure into one JSON line on stderr and exit code 1: a bad
 * variable is named by the ConfigError message; anything else is reported without a stack trace.
 */
export function run(service: string, start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    const msg =
      err instanceof ConfigError
        ? err.message
        : `start-up failed: ${(err as Error)?.message ?? String(err)}`;
    flushLogs(); // what was logged before the failure, still buffered
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service, msg })}\n`,
    );
    process.exit(1);
  });
}
