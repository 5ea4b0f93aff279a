import { loadCommonConfig, readInt, readString, type CommonConfig, type Env } from '../config.ts';
import { MAX_SHARD_CAPACITY } from './layout.ts';

export interface RefresherConfig extends CommonConfig {
  readonly shardCapacity: number;
  readonly offlineGraceMinutes: number;
  readonly standbyTasks: number;
  /** STREAM_LANGUAGE: comma-separated Helix language codes, empty for all. */
  readonly languages: readonly string[];
  readonly ecsCluster: string | undefined;
  readonly ecsService: string | undefined;
  readonly twitchSecretArn: string | undefined;
}

export function loadRefresherConfig(env: Env = process.env): RefresherConfig {
  return {
    ...loadCommonConfig(env),
    shardCapacity: readInt(env, 'SHARD_CAPACITY', 2000, { min: 1, max: MAX_SHARD_CAPACITY }),
    offlineGraceMinutes: readInt(env, 'OFFLINE_GRACE_MINUTES', 10, { min: 0 }),
    standbyTasks: readInt(env, 'STANDBY_TASKS', 1, { min: 0 }),
    languages: (readString(env, 'STREAM_LANGUAGE') ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l.length > 0),
    ecsCluster: readString(env, 'ECS_CLUSTER'),
    ecsService: readString(env, 'ECS_SERVICE'),
    twitchSecretArn: readString(env, 'TWITCH_SECRET_ARN'),
  };
}
