import type { ReportDefinition } from '../types.ts';
import { messageTimelineSql } from './messageTimeline.ts';

export const messagesPerMinute: ReportDefinition = {
  name: 'messages-per-minute',
  description: 'chat messages per minute over the last hour',
  columns: [
    { name: 'minute', type: 'time' },
    { name: 'messages', type: 'int' },
  ],
  defaultWindowMs: 3_600_000,
  defaultBucketSeconds: 60,
  timeSeries: { bucketColumn: 'minute' },
  sql: (dialect, context) => messageTimelineSql(dialect, context, 'minute'),
};
