import { execFileSync } from 'node:child_process';
import { requireTool } from './tools.ts';

/**
 * What `promtool check metrics` finds in a Prometheus text exposition, apart from prom-client's own
 * `nodejs_active_*_total` gauges (a `_total` suffix on a gauge, which we cannot rename).
 */
export function promtoolFindings(exposition: string): string[] {
  const promtool = requireTool('promtool', 'prometheus');
  let findings = '';
  try {
    execFileSync(promtool, ['check', 'metrics'], {
      input: exposition,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    findings = `${stdout ?? ''}${stderr ?? ''}`;
  }
  return findings
    .split('\n')
    .filter(
      (line) =>
        line.trim() !== '' &&
        !/^nodejs_active_(handles|requests|resources)_total non-counter/.test(line),
    );
}
