import { inChannel, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const totals: ReportDefinition = {
  name: 'totals',
  description: 'events, messages, channels and chatters stored, and the time range they cover',
  columns: [
    { name: 'events', type: 'int' },
    { name: 'messages', type: 'int' },
    { name: 'channels', type: 'int' },
    { name: 'chatters', type: 'int' },
    { name: 'first_event', type: 'time' },
    { name: 'last_event', type: 'time' },
    { name: 'hours', type: 'float' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, channel }) {
    const q = reportSql(dialect);
    // '*' is the channel of global NOTICEs, not a channel.
    return `SELECT count(*) AS events,
  ${q.countIf("kind = 'message'")} AS messages,
  count(DISTINCT CASE WHEN channel <> '*' THEN channel END) AS channels,
  count(DISTINCT CASE WHEN kind = 'message' THEN user_login END) AS chatters,
  ${q.epochMs('min(sent_at)')} AS first_event,
  ${q.epochMs('max(sent_at)')} AS last_event
FROM ${q.from('chat_events')}
WHERE ${q.inRange('sent_at', range)}${inChannel(channel)}`;
  },
  finish(rows) {
    return rows.map((row) => {
      const empty = row.events === 0;
      const first = empty ? null : (row.first_event ?? null);
      const last = empty ? null : (row.last_event ?? null);
      const hours = typeof first === 'number' && typeof last === 'number' ? Math.round((last - first) / 36_000) / 100 : null;
      return { ...row, first_event: first, last_event: last, hours };
    });
  },
};
