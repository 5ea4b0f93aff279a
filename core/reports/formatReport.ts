import type { ReportColumn, ReportResult, ReportValue } from './types.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function cell(value: ReportValue, column: ReportColumn): string {
  if (value === null) return '';
  if (column.type === 'time' && typeof value === 'number') return iso(value).replace('T', ' ').replace('.000Z', 'Z');
  return String(value);
}

/** A plain text table with a one-line heading; numbers right-aligned. */
export function formatReportTable(result: ReportResult): string {
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((row) => result.columns.map((c) => cell(row[c.name] ?? null, c)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (result.columns[i]!.type === 'text' ? text.padEnd(widths[i]!) : text.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const { since, until } = result.range;
  const span = since === 0 ? `all data before ${iso(until)}` : `${iso(since)} to ${iso(until)}`;
  const title = `${result.report}: ${result.description} (${span})`;
  const lines = [title, '', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  if (body.length === 0) lines.push('(no rows)');
  return lines.join('\n') + '\n';
}

/** The report for scripts: time columns as ISO 8601 strings. */
export function reportToJson(result: ReportResult): unknown {
  const times = result.columns.filter((c) => c.type === 'time').map((c) => c.name);
  return {
    report: result.report,
    description: result.description,
    since: iso(result.range.since),
    until: iso(result.range.until),
    columns: result.columns,
    rows: result.rows.map((row) => {
      const copy = { ...row };
      for (const name of times) {
        const value = copy[name];
        if (typeof value === 'number') copy[name] = iso(value);
      }
      return copy;
    }),
  };
}
