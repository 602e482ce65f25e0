/** A dependency-free SVG bar chart: one panel per metric, one bar per target. */
export function barChartSvg(
  panels: Array<{
    title: string;
    unit: string;
    bars: Array<{ label: string; value: number; highlight?: boolean }>;
  }>,
): string {
  const width = 760;
  const left = 230;
  const barHeight = 24;
  const parts: string[] = [];
  let top = 30;
  panels.forEach((panel) => {
    const max = Math.max(...panel.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1);
    parts.push(
      `<text x="10" y="${top - 8}" font-size="15" font-weight="bold">${escape(panel.title)}</text>`,
    );
    panel.bars.forEach((bar, i) => {
      const y = top + i * (barHeight + 10);
      const w = Number.isFinite(bar.value)
        ? Math.max(1, ((width - left - 90) * bar.value) / max)
        : 0;
      parts.push(
        `<text x="${left - 8}" y="${y + 17}" font-size="13" text-anchor="end">${escape(bar.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${bar.highlight ? '#d9534f' : '#5b8def'}"/>`,
        `<text x="${left + w + 6}" y="${y + 17}" font-size="12">${format(bar.value)} ${escape(panel.unit)}</text>`,
      );
    });
    top += panel.bars.length * (barHeight + 10) + 50;
  });
  const height = top - 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
