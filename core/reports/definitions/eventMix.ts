import { inChannel, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const eventMix: ReportDefinition = {
  name: 'event-mix',
  description: 'events by kind, with their share of all events',
  columns: [
    { name: 'kind', type: 'text' },
    { name: 'events', type: 'int' },
    { name: 'percent', type: 'float' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, channel }) {
    const q = reportSql(dialect);
    return `SELECT kind, count(*) AS events
FROM ${q.from('chat_events')}
WHERE ${q.inRange('sent_at', range)}${inChannel(channel)}
GROUP BY kind
ORDER BY events DESC, kind`;
  },
  finish(rows) {
    const total = rows.reduce((sum, row) => sum + Number(row.events), 0);
    return rows.map((row) => ({ ...row, percent: total === 0 ? 0 : Math.round((Number(row.events) / total) * 10_000) / 100 }));
  },
};
