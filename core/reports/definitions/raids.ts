import { integer, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const raids: ReportDefinition = {
  name: 'raids',
  description: 'raids received, newest first: who raided which channel with how many viewers',
  columns: [
    { name: 'raided_at', type: 'time' },
    { name: 'raider', type: 'text' },
    { name: 'channel', type: 'text' },
    { name: 'viewers', type: 'int' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, limit }) {
    const q = reportSql(dialect);
    return `SELECT ${q.epochMs('sent_at')} AS raided_at, coalesce(user_login, ${q.param('login')}) AS raider, channel, ${q.intParam('viewerCount')} AS viewers
FROM ${q.from('chat_events')}
WHERE kind = 'usernotice' AND subtype = 'raid' AND ${q.inRange('sent_at', range)}
ORDER BY sent_at DESC, event_id
LIMIT ${integer(limit)}`;
  },
};
