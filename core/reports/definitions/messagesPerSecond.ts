import type { ReportDefinition } from '../types.ts';
import { messageTimelineSql } from './messageTimeline.ts';

export const messagesPerSecond: ReportDefinition = {
  name: 'messages-per-second',
  description: 'chat messages per second over the last minute',
  columns: [
    { name: 'second', type: 'time' },
    { name: 'messages', type: 'int' },
  ],
  defaultWindowMs: 60_000,
  defaultBucketSeconds: 1,
  timeSeries: { bucketColumn: 'second' },
  sql: (dialect, context) => messageTimelineSql(dialect, context, 'second'),
};
