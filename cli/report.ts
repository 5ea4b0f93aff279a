import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, PoglyticsError } from '../core/errors.ts';
import { collectReportData } from '../core/reports/collectReportData.ts';
import { renderReportHtml } from '../core/reports/html/renderReportHtml.ts';
import { createSinkFromEnv } from '../core/sinks/createSink.ts';

const USAGE = `usage: poglytics report [--since WHEN] [--until WHEN] [--limit N] [--out FILE]

Writes a self-contained HTML chat report of the configured sink (SQLite at SQLITE_PATH by
default, Postgres with DATABASE_URL, ClickHouse with CLICKHOUSE_URL): messages over time, top
channels, event mix, subscriptions and gifts, moderation actions. Charts are drawn by inline
code from data embedded in the file; it opens offline in any browser.

  --since WHEN   start: a duration before --until (24h, 7d), a date, ms since the epoch, or "all"
                 (default: 24h before the newest stored event)
  --until WHEN   end, exclusive (default: just after the newest stored event)
  --limit N      channels per chart (default 10)
  --out FILE     where to write (default poglytics-report.html)`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        out: { type: 'string', short: 'o', default: 'poglytics-report.html' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`poglytics report: ${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const limit = values.limit === undefined ? 10 : /^\d+$/.test(values.limit) ? Number(values.limit) : Number.NaN;

  let sink;
  try {
    sink = await createSinkFromEnv(process.env);
    const data = await collectReportData(sink, { since: values.since, until: values.until, limit });
    const out = resolve(values.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderReportHtml(data));
    process.stderr.write(
      `poglytics report: wrote ${out} (${data.totals.events ?? 0} events, ${new Date(data.range.since).toISOString()} to ${new Date(data.range.until).toISOString()})\n`,
    );
    return 0;
  } catch (error) {
    // A bad setting goes to main (`SETTING: …`, exit 2, as in every verb); so does anything unexpected.
    if (error instanceof ConfigError || (!(error instanceof PoglyticsError) && !(error instanceof RangeError))) throw error;
    process.stderr.write(`poglytics report: ${error.message}\n`);
    return 1;
  } finally {
    await sink?.close();
  }
}
