import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in MB. */
export function rssMb(pid: number): number {
  const kb = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m)?.[1];
  return Number(kb ?? 0) / 1024;
}

/** Samples RSS every 100 ms while `work` runs; returns the peak and the CPU seconds used. */
export async function measure<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuS: number; peakRssMb: number }> {
  const cpuBefore = cpuSeconds(pid);
  let peakRssMb = rssMb(pid);
  const timer = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 100);
  try {
    const result = await work();
    return { result, cpuS: cpuSeconds(pid) - cpuBefore, peakRssMb };
  } finally {
    clearInterval(timer);
  }
}
