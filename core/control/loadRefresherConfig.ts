import { loadCommonConfig, readInt, readString, type CommonConfig, type Env } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { MAX_SLOTS_PER_TASK } from './desiredTasks.ts';
import { MAX_SHARD_CAPACITY } from './layout.ts';

export interface RefresherConfig extends CommonConfig {
  readonly shardCapacity: number;
  readonly offlineGraceMinutes: number;
  readonly standbyTasks: number;
  /** SLOTS_PER_TASK: slots each ingester task serves (the ingesters get the same value); the desired task count divides by it. */
  readonly slotsPerTask: number;
  /** STREAM_LANGUAGE: comma-separated Helix language codes, empty for all. */
  readonly languages: readonly string[];
  readonly ecsCluster: string | undefined;
  readonly ecsService: string | undefined;
  readonly twitchSecretArn: string | undefined;
  /** SNAPSHOT_VIEWER_CHANGE: a snapshot is stored when viewers moved by more than this share of the last stored count. */
  readonly snapshotViewerChange: number;
  /** SNAPSHOT_HEARTBEAT_MINUTES: and at least once in each such period (clock hours for 60) per live channel. */
  readonly snapshotHeartbeatMinutes: number;
  /** REFRESH_INTERVAL_MINUTES: how often the schedule runs the refresher (infra sets it from refreshScheduleMinutes). */
  readonly refreshIntervalMinutes: number;
}

export const DEFAULT_SNAPSHOT_VIEWER_CHANGE = 0.2;
export const DEFAULT_SNAPSHOT_HEARTBEAT_MINUTES = 60;
export const DEFAULT_REFRESH_INTERVAL_MINUTES = 5;

function readShare(env: Env, name: string, fallback: number): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 10))
    throw new ConfigError(`${name} must be a share between 0 and 10 (0.2 is 20 %), got "${raw}"`, { setting: name });
  return value;
}

export function loadRefresherConfig(env: Env): RefresherConfig {
  return {
    ...loadCommonConfig(env),
    shardCapacity: readInt(env, 'SHARD_CAPACITY', 2000, { min: 1, max: MAX_SHARD_CAPACITY }),
    offlineGraceMinutes: readInt(env, 'OFFLINE_GRACE_MINUTES', 10, { min: 0 }),
    standbyTasks: readInt(env, 'STANDBY_TASKS', 1, { min: 0 }),
    slotsPerTask: readInt(env, 'SLOTS_PER_TASK', 1, { min: 1, max: MAX_SLOTS_PER_TASK }),
    languages: (readString(env, 'STREAM_LANGUAGE') ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l.length > 0),
    ecsCluster: readString(env, 'ECS_CLUSTER'),
    ecsService: readString(env, 'ECS_SERVICE'),
    twitchSecretArn: readString(env, 'TWITCH_SECRET_ARN'),
    snapshotViewerChange: readShare(env, 'SNAPSHOT_VIEWER_CHANGE', DEFAULT_SNAPSHOT_VIEWER_CHANGE),
    snapshotHeartbeatMinutes: readInt(env, 'SNAPSHOT_HEARTBEAT_MINUTES', DEFAULT_SNAPSHOT_HEARTBEAT_MINUTES, { min: 1 }),
    refreshIntervalMinutes: readInt(env, 'REFRESH_INTERVAL_MINUTES', DEFAULT_REFRESH_INTERVAL_MINUTES, { min: 1, max: 60 }),
  };
}
