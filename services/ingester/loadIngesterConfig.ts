import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadCommonConfig, readInt, readString, readUrl, type CommonConfig, type Env } from '../../core/config.ts';
import { MAX_SLOTS_PER_TASK } from '../../core/control/desiredTasks.ts';
import { ConfigError } from '../../core/errors.ts';
import type { ConnectionSettings } from './ircConnection.ts';
import { parseIrcUrl, type IrcEndpoint } from './parseIrcUrl.ts';

export interface IngesterConfig extends CommonConfig {
  readonly taskId: string;
  /** AVAILABILITY_ZONE (on ECS: from the task metadata, see main.ts): a replica avoids its sibling's zone. */
  readonly availabilityZone: string | undefined;
  /** Per-service endpoint overrides (AWS_ENDPOINT_URL_KINESIS / _DYNAMODB, the SDKs' names), else AWS_ENDPOINT_URL. */
  readonly kinesisEndpointUrl: string | undefined;
  readonly dynamoEndpointUrl: string | undefined;
  /** Every IRC connection's settings: endpoint, join budget, liveness, reconnect backoff. */
  readonly irc: ConnectionSettings;
  /** Pin this task to one shard (local runs); otherwise any free shard of the assignment. */
  readonly shardId: number | undefined;
  /**
   * SLOTS_PER_TASK: how many (shard, replica) slots this task serves at once, each with its own
   * lease and connection pool, never two replicas of one shard (default 1). Ignored with SHARD_ID.
   */
  readonly slotsPerTask: number;
  readonly leaseMs: number;
  readonly leaseRenewMs: number;
  readonly leasePollMs: number;
  readonly assignmentPollMs: number;
  readonly flushMs: number;
  /** Records Kinesis has not acknowledged this long go to the disk journal (write-ahead). */
  readonly spillAfterMs: number;
  readonly bufferMaxBytes: number;
  readonly journalDir: string;
  readonly journalMaxBytes: number;
  readonly deadLetterDir: string;
  readonly shutdownDeadlineMs: number;
  /** OPTOUTS_FILE: the opt-out list as a file (local runs: DATA_DIR/optouts.json); else the control table's item. */
  readonly optOutsFile: string | undefined;
  /** OPTOUT_POLL_MS: how often the list is read again (default 30 s, well inside OPTOUT_DELETE_MINUTES). */
  readonly optOutPollMs: number;
}

const MiB = 1024 * 1024;

/** The ingester's settings: the common ones plus its own, validated once at startup. */
export function loadIngesterConfig(env: Env = process.env): IngesterConfig {
  const common = loadCommonConfig(env);
  // A short lease with frequent renewal is the backstop when no death notice arrives (the local
  // supervisor and the ECS stop-event reaper expire a dead task's lease at once): 15 s / 3 s.
  const leaseMs = readInt(env, 'LEASE_DURATION_MS', 15_000, { min: 1000 });
  const leaseRenewMs = readInt(env, 'LEASE_RENEW_MS', Math.min(3000, Math.floor(leaseMs / 3)), { min: 100 });
  if (leaseRenewMs >= leaseMs)
    throw new ConfigError(`LEASE_RENEW_MS must be below LEASE_DURATION_MS (${leaseMs}), got ${leaseRenewMs}`, {
      setting: 'LEASE_RENEW_MS',
    });
  const flushMs = readInt(env, 'KINESIS_FLUSH_MS', 250, { min: 1 });
  const spillAfterMs = readInt(env, 'KINESIS_SPILL_AFTER_MS', 1000, { min: 10, max: 60_000 });
  if (spillAfterMs <= flushMs) {
    // A record is sealed flushMs after its first event; spilling before that would journal every record.
    throw new ConfigError(`KINESIS_SPILL_AFTER_MS must be above KINESIS_FLUSH_MS (${flushMs}), got ${spillAfterMs}`, {
      setting: 'KINESIS_SPILL_AFTER_MS',
    });
  }
  const shardIdRaw = readString(env, 'SHARD_ID');
  const journalDir = readString(env, 'JOURNAL_DIR') ?? './data/journal';
  const pingIdleMs = readInt(env, 'PING_IDLE_MS', 30_000, { min: 100 });
  let ircEndpoint: IrcEndpoint;
  try {
    ircEndpoint = parseIrcUrl(common.twitchIrcUrl);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`TWITCH_IRC_URL must be a URL, got "${common.twitchIrcUrl}"`, { cause: error, setting: 'TWITCH_IRC_URL' });
  }
  return {
    ...common,
    taskId: readString(env, 'TASK_ID') ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    availabilityZone: readString(env, 'AVAILABILITY_ZONE'),
    kinesisEndpointUrl: readUrl(env, 'AWS_ENDPOINT_URL_KINESIS') ?? common.awsEndpointUrl,
    dynamoEndpointUrl: readUrl(env, 'AWS_ENDPOINT_URL_DYNAMODB') ?? common.awsEndpointUrl,
    shardId: shardIdRaw === undefined ? undefined : readInt(env, 'SHARD_ID', 0, { min: 0 }),
    slotsPerTask: readInt(env, 'SLOTS_PER_TASK', 1, { min: 1, max: MAX_SLOTS_PER_TASK }),
    leaseMs,
    leaseRenewMs,
    // A standby finds a reaped slot at its next poll: reads only (GetItem + BatchGetItem), so poll often.
    leasePollMs: readInt(env, 'LEASE_POLL_MS', Math.min(2000, Math.floor(leaseMs / 3)), { min: 100 }),
    assignmentPollMs: readInt(env, 'ASSIGNMENT_POLL_MS', 5000, { min: 100 }),
    irc: {
      endpoint: ircEndpoint,
      joinRateCount: readInt(env, 'JOIN_RATE_COUNT', 20, { min: 1 }),
      joinRateWindowMs: readInt(env, 'JOIN_RATE_WINDOW_MS', 10_000, { min: 100 }),
      joinRateGuardMs: readInt(env, 'JOIN_RATE_GUARD_MS', 100, { min: 0 }),
      joinTimeoutMs: readInt(env, 'JOIN_TIMEOUT_MS', 10_000, { min: 100 }),
      joinMaxAttempts: readInt(env, 'JOIN_MAX_ATTEMPTS', 5, { min: 1 }),
      pingIdleMs,
      pongTimeoutMs: readInt(env, 'PONG_TIMEOUT_MS', 10_000, { min: 100 }),
      connectTimeoutMs: readInt(env, 'CONNECT_TIMEOUT_MS', 10_000, { min: 100 }),
      reconnectBaseMs: readInt(env, 'RECONNECT_BASE_MS', 1000, { min: 1 }),
      reconnectMaxMs: readInt(env, 'RECONNECT_MAX_MS', 30_000, { min: 1 }),
    },
    flushMs,
    spillAfterMs,
    bufferMaxBytes: readInt(env, 'BUFFER_MAX_BYTES', 64 * MiB, { min: MiB }),
    journalDir,
    journalMaxBytes: readInt(env, 'JOURNAL_MAX_BYTES', 4096 * MiB, { min: 1 }),
    deadLetterDir: readString(env, 'DEAD_LETTER_DIR') ?? join(journalDir, 'dead-letter'),
    shutdownDeadlineMs: readInt(env, 'SHUTDOWN_DEADLINE_MS', 25_000, { min: 1000 }),
    optOutsFile: readString(env, 'OPTOUTS_FILE'),
    optOutPollMs: readInt(env, 'OPTOUT_POLL_MS', 30_000, { min: 100 }),
  };
}
