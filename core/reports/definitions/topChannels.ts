import { inChannel, integer, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const topChannels: ReportDefinition = {
  name: 'top-channels',
  description: 'channels with the most messages, with unique chatters and bits cheered',
  columns: [
    { name: 'channel', type: 'text' },
    { name: 'messages', type: 'int' },
    { name: 'chatters', type: 'int' },
    { name: 'bits', type: 'int' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, limit, channel }) {
    const q = reportSql(dialect);
    return `SELECT channel, count(*) AS messages, count(DISTINCT user_login) AS chatters, sum(bits) AS bits
FROM ${q.from('chat_events')}
WHERE kind = 'message' AND ${q.inRange('sent_at', range)}${inChannel(channel)}
GROUP BY channel
ORDER BY messages DESC, channel
LIMIT ${integer(limit)}`;
  },
};
