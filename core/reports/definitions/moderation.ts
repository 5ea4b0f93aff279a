import { inChannel, integer, reportSql } from '../reportSql.ts';
import type { ReportDefinition } from '../types.ts';

export const moderation: ReportDefinition = {
  name: 'moderation',
  description: 'bans and timeouts (with total timeout length), deleted messages and chat clears per channel',
  columns: [
    { name: 'channel', type: 'text' },
    { name: 'bans', type: 'int' },
    { name: 'timeouts', type: 'int' },
    { name: 'timeout_seconds', type: 'int' },
    { name: 'deletions', type: 'int' },
    { name: 'clears', type: 'int' },
  ],
  defaultWindowMs: null,
  sql(dialect, { range, limit, channel }) {
    const q = reportSql(dialect);
    return `SELECT channel,
  ${q.countIf("kind = 'ban'")} AS bans,
  ${q.countIf("kind = 'timeout'")} AS timeouts,
  sum(CASE WHEN kind = 'timeout' THEN coalesce(ban_duration_s, 0) ELSE 0 END) AS timeout_seconds,
  ${q.countIf("kind = 'delete'")} AS deletions,
  ${q.countIf("kind = 'clearchat'")} AS clears
FROM ${q.from('chat_events')}
WHERE kind IN ('ban', 'timeout', 'delete', 'clearchat') AND ${q.inRange('sent_at', range)}${inChannel(channel)}
GROUP BY channel
ORDER BY ${q.countIf("kind IN ('ban', 'timeout')")} DESC, count(*) DESC, channel
LIMIT ${integer(limit)}`;
  },
};
