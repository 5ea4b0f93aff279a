import { readInt, readString, type Env } from '../config.ts';
import type { RetentionCutoff } from './types.ts';

/**
 * RETENTION_DAYS (chat events) and SNAPSHOT_RETENTION_DAYS (stream snapshots, default the same):
 * how long stored data is kept; unset keeps everything (the default). Keeping everything costs
 * the sink's bytes per event for ever: see README "Retention".
 */
export interface Retention {
  readonly eventDays: number | null;
  readonly snapshotDays: number | null;
}

export function loadRetention(env: Env): Retention {
  const days = (name: string) => (readString(env, name) === undefined ? null : readInt(env, name, 0, { min: 1, max: 100_000 }));
  const eventDays = days('RETENTION_DAYS');
  const snapshotDays = readString(env, 'SNAPSHOT_RETENTION_DAYS') === undefined ? eventDays : days('SNAPSHOT_RETENTION_DAYS');
  return { eventDays, snapshotDays };
}

/** The cutoffs for `now`, or null when nothing is to be dropped. */
export function retentionCutoff(retention: Retention, now: number): RetentionCutoff | null {
  if (retention.eventDays === null && retention.snapshotDays === null) return null;
  const before = (days: number | null) => (days === null ? null : now - days * 86_400_000);
  return { eventsBefore: before(retention.eventDays), snapshotsBefore: before(retention.snapshotDays) };
}
