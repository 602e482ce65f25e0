import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A memory-limited cgroup to run the gateway in, as a pod's container runs: Node sizes its heap
 * from the constrained memory, which changes both RSS and GC cost. cgroup v2 or v1's memory
 * controller; needs root. `undefined` when neither is writable (the bench then says so).
 */
export interface MemoryCgroup {
  /** cgroup.procs of the group: write a pid to move that process in. */
  procs: string;
  limitMb: number;
  /** Peak memory charged to the group (what the kernel enforces the limit on), in MB. */
  peakMb(): number;
  /**
   * What is charged now, split: anonymous memory (the process's heap, stacks, buffers) and page
   * cache (e.g. of the log file it writes), in MB.
   */
  chargedMb(): { anonMb: number; fileMb: number };
  remove(): void;
}

export function createMemoryCgroup(name: string, limitMb: number): MemoryCgroup | undefined {
  const bytes = String(limitMb * 1024 * 1024);
  const v2 = '/sys/fs/cgroup';
  const v1 = '/sys/fs/cgroup/memory';
  try {
    if (
      existsSync(join(v2, 'cgroup.controllers')) &&
      readFileSync(join(v2, 'cgroup.controllers'), 'utf8').includes('memory')
    ) {
      const dir = join(v2, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), bytes);
      return group(dir, limitMb, 'memory.peak', ['anon', 'file']);
    }
    if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
      const dir = join(v1, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
      return group(dir, limitMb, 'memory.max_usage_in_bytes', ['rss', 'cache']);
    }
  } catch {
    // Not root, or no memory controller: run unconstrained.
  }
  return undefined;
}

function group(
  dir: string,
  limitMb: number,
  peakFile: string,
  [anonKey, fileKey]: [string, string],
): MemoryCgroup {
  return {
    procs: join(dir, 'cgroup.procs'),
    limitMb,
    peakMb: () => {
      try {
        return Number(readFileSync(join(dir, peakFile), 'utf8')) / 1024 / 1024;
      } catch {
        return Number.NaN;
      }
    },
    chargedMb: () => {
      const stat = new Map<string, number>();
      try {
        for (const line of readFileSync(join(dir, 'memory.stat'), 'utf8').split('\n')) {
          const [key, value] = line.split(' ');
          stat.set(key, Number(value) / 1024 / 1024);
        }
      } catch {
        // removed already
      }
      return { anonMb: stat.get(anonKey) ?? Number.NaN, fileMb: stat.get(fileKey) ?? Number.NaN };
    },
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // Still has processes (stopped later by the stack): the kernel keeps it empty.
      }
    },
  };
}

/** "256Mi" / "1Gi" / "300M" -> MB. */
export function parseMemoryQuantity(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G|Ki|K)?$/.exec(quantity.trim());
  if (!match) throw new Error(`cannot read memory quantity ${JSON.stringify(quantity)}`);
  const n = Number(match[1]);
  const factor: Record<string, number> = {
    Ki: 1 / 1024,
    K: 1 / 1024,
    Mi: 1,
    M: 1,
    Gi: 1024,
    G: 1024,
  };
  return n * (factor[match[2] ?? ''] ?? 1 / 1024 / 1024);
}
