import { inChannel, integer, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const topChatters: ReportDefinition = {
  name: 'top-chatters',
  description: 'users who sent the most messages, and in how many channels',
  columns: [
    { name: 'user_login', type: 'text' },
    { name: 'messages', type: 'int' },
    { name: 'channels', type: 'int' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, limit, channel }) {
    const q = reportSql(dialect);
    return `SELECT user_login, count(*) AS messages, count(DISTINCT channel) AS channels
FROM ${q.from('chat_events')}
WHERE kind = 'message' AND user_login IS NOT NULL AND ${q.inRange('sent_at', range)}${inChannel(channel)}
GROUP BY user_login
ORDER BY messages DESC, user_login
LIMIT ${integer(limit)}`;
  },
};
