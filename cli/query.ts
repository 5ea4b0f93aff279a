import { parseArgs } from 'node:util';
import { ConfigError, PoglyticsError } from '../core/errors.ts';
import { formatReportTable, reportToJson } from '../core/reports/formatReport.ts';
import { findReport, REPORTS } from '../core/reports/reports.ts';
import { DEFAULT_LIMIT, runReport } from '../core/reports/runReport.ts';
import { createSinkFromEnv } from '../core/sinks/createSink.ts';

function usage(): string {
  const width = Math.max(...REPORTS.map((r) => r.name.length));
  return `usage: poglytics query <report> [--json] [--since WHEN] [--until WHEN] [--limit N]

Analytics on the configured sink (SQLite at SQLITE_PATH by default, Postgres with DATABASE_URL,
ClickHouse with CLICKHOUSE_URL). Table output by default; --json prints one JSON object.

reports:
${REPORTS.map((r) => `  ${r.name.padEnd(width)}  ${r.description}`).join('\n')}

options:
  --since WHEN   start of the range: a duration before --until (15m, 2h, 7d), a date
                 (2024-05-01, 2024-05-01T12:00:00Z), ms since the epoch, or "all"
  --until WHEN   end of the range (exclusive); a duration counts back from the newest event
  --limit N      rows of ranked reports (default ${DEFAULT_LIMIT})
  --json         machine-readable output

Ranges default to the newest stored event, not the clock, so imported or old data reports
usefully: messages-per-second covers the minute before the newest event, messages-per-minute
the hour before it, every other report all stored data.`;
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`poglytics query: ${(error as Error).message}\n${usage()}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`poglytics query: name one report\n${usage()}\n`);
    return 1;
  }

  let sink;
  try {
    const report = findReport(positionals[0]!);
    const limit = values.limit === undefined ? undefined : /^\d+$/.test(values.limit) ? Number(values.limit) : Number.NaN;
    sink = await createSinkFromEnv(process.env);
    const result = await runReport(sink, report, { since: values.since, until: values.until, limit });
    process.stdout.write(values.json ? `${JSON.stringify(reportToJson(result), null, 2)}\n` : formatReportTable(result));
    return 0;
  } catch (error) {
    // A bad setting goes to main (`SETTING: …`, exit 2, as in every verb); so does anything unexpected.
    if (error instanceof ConfigError || (!(error instanceof PoglyticsError) && !(error instanceof RangeError))) throw error;
    process.stderr.write(`poglytics query: ${error.message}\n`);
    return 1;
  } finally {
    await sink?.close();
  }
}
