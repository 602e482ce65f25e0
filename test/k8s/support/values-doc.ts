// The chart README's values table, generated from the `# --` comments of values.yaml, so the
// table cannot drift from the values. Regenerate with:
//   node test/k8s/support/values-doc.ts --write
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';

export interface ValueRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

const BEGIN =
  '<!-- values-table:begin (generated from values.yaml by test/k8s/support/values-doc.ts) -->';
const END = '<!-- values-table:end -->';

/** The `# --` comment of a key. The comment above the first key of a nested map belongs to the map node. */
function describe(pair: Pair, map: Node, first: boolean): string | undefined {
  const own = (pair.key as Node & { commentBefore?: string }).commentBefore;
  const comment =
    own ?? (first ? (map as Node & { commentBefore?: string }).commentBefore : undefined) ?? '';
  const at = comment.lastIndexOf(' -- ');
  return at === -1
    ? undefined
    : comment
        .slice(at + 4)
        .replace(/\s*\n\s*/g, ' ')
        .trim();
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Rows for every documented key, and the paths of leaves that no documented key covers. */
export function valuesRows(yamlText: string): { rows: ValueRow[]; undocumented: string[] } {
  const rows: ValueRow[] = [];
  const undocumented: string[] = [];
  const walk = (node: unknown, path: string, covered: boolean) => {
    if (!isMap(node)) return;
    for (const [index, pair] of node.items.entries()) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const full = path ? `${path}.${/^[A-Za-z0-9_]+$/.test(key) ? key : `"${key}"`}` : key;
      const description = describe(pair, node, index === 0);
      const value = pair.value as Node | null;
      const json = value && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : null;
      if (description)
        rows.push({ key: full, type: typeOf(json), default: JSON.stringify(json), description });
      const leaf = !isMap(value) || value.items.length === 0 || isSeq(value);
      if (leaf && !description && !covered) undocumented.push(full);
      walk(value, full, covered || description !== undefined);
    }
  };
  walk(parseDocument(yamlText).contents, '', false);
  return { rows, undocumented };
}

export function valuesTable(yamlText: string): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  for (const row of valuesRows(yamlText).rows) {
    const shown =
      row.type === 'object' && row.default.length > 60
        ? '(see values.yaml)'
        : `\`${escape(row.default)}\``;
    lines.push(`| \`${row.key}\` | ${row.type} | ${shown} | ${escape(row.description)} |`);
  }
  return lines.join('\n');
}

/** The README with its values table replaced by the one generated from values.yaml. */
export function withValuesTable(readme: string, yamlText: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`README lacks the ${BEGIN} / ${END} markers`);
  return `${readme.slice(0, start + BEGIN.length)}\n${valuesTable(yamlText)}\n${readme.slice(end)}`;
}

if (process.argv.includes('--write')) {
  const chart = join(process.cwd(), 'charts/gateway-stack');
  const readmePath = join(chart, 'README.md');
  writeFileSync(
    readmePath,
    withValuesTable(
      readFileSync(readmePath, 'utf8'),
      readFileSync(join(chart, 'values.yaml'), 'utf8'),
    ),
  );
  process.stdout.write(`updated ${readmePath}\n`);
}
