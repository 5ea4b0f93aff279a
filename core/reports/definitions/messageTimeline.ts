import type { SinkName } from '../../sinks/types.ts';
import { reportSql } from '../reportSql.ts';
import type { ReportContext } from '../types.ts';

/** Messages per bucket of the range, oldest first; empty buckets are filled in by runReport. */
export function messageTimelineSql(dialect: SinkName, { range, bucketSeconds }: ReportContext, bucketColumn: string): string {
  const q = reportSql(dialect);
  return `SELECT ${q.bucketMs('sent_at', bucketSeconds)} AS ${bucketColumn}, count(*) AS messages
FROM ${q.from('chat_events')}
WHERE kind = 'message' AND ${q.inRange('sent_at', range)}
GROUP BY ${q.bucketMs('sent_at', bucketSeconds)}
ORDER BY ${bucketColumn}`;
}
