// A small Dockerfile reader: instructions with line continuations joined, grouped by stage.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
  /** RUN's `--mount=` flags (BuildKit), kept apart from the command they are given to. */
  mounts: string[];
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(path: string): { globals: Instruction[]; stages: Stage[] } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(#|$)/.test(lines[i])) continue;
    const start = i;
    let text = lines[i];
    while (text.endsWith('\\')) {
      i++;
      while (/^\s*#/.test(lines[i] ?? '')) i++; // comments inside a continued instruction are dropped
      text = `${text.slice(0, -1)} ${(lines[i] ?? '').trim()}`;
    }
    const match = /^\s*(\w+)\s+(.*)$/.exec(text);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    let args = match[2].trim();
    const mounts: string[] = [];
    while (keyword === 'RUN' && args.startsWith('--mount=')) {
      const [flag, ...rest] = args.split(/\s+/);
      mounts.push(flag.slice('--mount='.length));
      args = rest.join(' ');
    }
    instructions.push({ keyword, args, line: start + 1, mounts });
  }
  const globals: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from, , name] = instruction.args.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      globals.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globals, stages };
}

/** Exec-form arguments (`["node", "main.js"]`) of CMD/ENTRYPOINT; undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed = JSON.parse(args);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** KEY=value pairs of an ENV or LABEL instruction (quoted values allowed). */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
  }
  return out;
}
