/** What a part returns, and how it is printed to the terminal and written into BENCHMARKS.md. */
export interface Target {
  label: string;
  measured: number;
  /** e.g. '≥ 0.80' or '≤ 300 MB'. */
  goal: string;
  met: boolean;
  unit?: string;
}

export interface PartResult {
  title: string;
  headers: string[];
  rows: string[][];
  targets: Target[];
  notes: string[];
  /** Set when the part could not run here (a feature not built yet). */
  skipped?: string;
}

export const fmt = {
  rps: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1)),
  ratio: (n: number) => n.toFixed(2),
  mib: (n: number) => n.toFixed(0),
};

export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function targetRows(targets: Target[], smoke: boolean): string[][] {
  return targets.map((t) => [
    t.label,
    `${t.unit === undefined ? fmt.ratio(t.measured) : `${fmt.ms(t.measured)} ${t.unit}`}`,
    t.goal,
    smoke ? 'n/a (smoke)' : t.met ? 'met' : 'MISSED',
  ]);
}

export function printPart(result: PartResult, smoke: boolean): void {
  console.log(`\n## ${result.title}`);
  if (result.skipped) {
    console.log(`skipped: ${result.skipped}`);
    return;
  }
  console.log(textTable(result.headers, result.rows));
  if (result.targets.length > 0) console.log(`\n${textTable(['target', 'measured', 'goal', ''], targetRows(result.targets, smoke))}`);
  for (const note of result.notes) console.log(`note: ${note}`);
}

export function markdownPart(result: PartResult): string {
  const out = [`### ${result.title}`, ''];
  if (result.skipped) return [...out, `Skipped: ${result.skipped}`, ''].join('\n');
  out.push(markdownTable(result.headers, result.rows), '');
  if (result.targets.length > 0) out.push(markdownTable(['target', 'measured', 'goal', ''], targetRows(result.targets, false)), '');
  for (const note of result.notes) out.push(`- ${note}`);
  if (result.notes.length > 0) out.push('');
  return out.join('\n');
}
