import { ConflictError } from '../errors.ts';
import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { createLogger, type Logger } from '../log.ts';
import type { Discovery } from '../twitch/discoverChannels.ts';
import { toStreamSnapshot } from '../twitch/toStreamSnapshot.ts';
import type { AssignmentStore } from './assignmentStore.ts';
import { desiredTasks } from './desiredTasks.ts';
import { AssignmentSupersededError } from './errors.ts';
import { rebalance, type RebalanceSettings } from './rebalance.ts';
import type { Scaler } from './scaler.ts';

export interface RefreshDeps {
  readonly discover: () => Promise<Discovery>;
  readonly store: Pick<AssignmentStore, 'read' | 'write'>;
  /** Null when nothing scales the ingesters (tests, a fixed local run). */
  readonly scaler: Scaler | null;
  /**
   * Null to skip stream snapshots. Offered every live channel's snapshot; may publish fewer
   * (publishChangedSnapshots) and say how many in `events`.
   */
  readonly publishSnapshots: ((snapshots: StreamSnapshot[], now: number) => Promise<unknown>) | null;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface RefreshSettings {
  readonly rebalance: RebalanceSettings;
  readonly standbyTasks: number;
  /** CAPTURE_REPLICAS: every shard is served by this many tasks (default 1). */
  readonly captureReplicas?: number;
  /** SLOTS_PER_TASK: (shard, replica) slots one ingester task serves (default 1); see desiredTasks. */
  readonly slotsPerTask?: number;
  /** Fresh read-rebalance-claim rounds when another refresh claims the epoch first (default 4). */
  readonly claimAttempts?: number;
}

export interface RefreshReport {
  readonly source: Discovery['source'];
  readonly discovered: number;
  readonly assigned: number;
  readonly added: number;
  readonly moved: number;
  readonly removed: number;
  readonly shards: number;
  readonly desiredCount: number;
  readonly epoch: number | null;
  /** A newer concurrent refresh overwrote this one's assignment (not an error: it stands instead). */
  readonly superseded: boolean;
  readonly scaled: boolean;
  /** Times another refresh claimed the epoch first and this one read again. */
  readonly claimConflicts: number;
  /** Snapshots offered (live channels with a stream). */
  readonly snapshots: number;
  /** Snapshots published: those that changed beyond the threshold or were due for the heartbeat. */
  readonly snapshotsPublished: number;
  readonly helixPages: number;
  readonly durationMs: number;
  /** Failures of the optional steps (snapshots, scaling); the assignment itself throws. */
  readonly errors: string[];
}

/**
 * One refresh: discover channels, rebalance against the stored assignment, store it with
 * conditional writes, emit stream snapshots and set the ingester count. Running it again with the
 * same input changes nothing (idempotent), so a retried or overlapping invocation is harmless.
 */
export async function refreshChannels(deps: RefreshDeps, settings: RefreshSettings): Promise<RefreshReport> {
  const clock = deps.now ?? Date.now;
  const log = deps.log ?? createLogger();
  const started = clock();
  const discovery = await deps.discover();
  const now = clock();
  const errors: string[] = [];

  let outcome: { result: ReturnType<typeof rebalance>; epoch: number | null; superseded: boolean } | undefined;
  const attempts = settings.claimAttempts ?? 4;
  let claimConflicts = 0;
  for (let attempt = 1; outcome === undefined; attempt++) {
    const stored = await deps.store.read();
    const result = rebalance(stored.shards, discovery.channels, settings.rebalance, now);
    const desiredCount = desiredTasks(result.shardCount, settings);
    try {
      const { epoch } = await deps.store.write(stored, { assignment: result.assignment, desiredCount, now });
      outcome = { result, epoch, superseded: false };
    } catch (error) {
      if (error instanceof AssignmentSupersededError) {
        log.warn('assignment superseded by a newer refresh', { error });
        outcome = { result, epoch: null, superseded: true };
      } else if (error instanceof ConflictError && attempt < attempts) {
        claimConflicts++;
        log.info('assignment epoch claimed concurrently; reading again', { attempt });
      } else throw error;
    }
  }
  const { result } = outcome;
  const desiredCount = desiredTasks(result.shardCount, settings);

  let snapshots = 0;
  let snapshotsPublished = 0;
  if (deps.publishSnapshots && discovery.streams.length > 0) {
    try {
      const out = await deps.publishSnapshots(
        discovery.streams.map((stream) => toStreamSnapshot(stream, now)),
        now,
      );
      snapshots = discovery.streams.length;
      const events = (out as { events?: unknown } | undefined)?.events;
      snapshotsPublished = typeof events === 'number' ? events : snapshots;
    } catch (error) {
      log.error('stream snapshots failed', { error });
      errors.push(`snapshots: ${(error as Error).message}`);
    }
  }

  let scaled = false;
  if (deps.scaler && !outcome.superseded) {
    try {
      scaled = (await deps.scaler.ensureDesiredCount(desiredCount)).changed;
    } catch (error) {
      log.error('scaling failed', { error, desiredCount });
      errors.push(`scaling: ${(error as Error).message}`);
    }
  }

  const report: RefreshReport = {
    source: discovery.source,
    discovered: discovery.channels.length,
    assigned: result.channelCount,
    added: result.added.length,
    moved: result.moves.length,
    removed: result.removed.length,
    shards: result.shardCount,
    desiredCount,
    epoch: outcome.epoch,
    superseded: outcome.superseded,
    scaled,
    claimConflicts,
    snapshots,
    snapshotsPublished,
    helixPages: discovery.pages,
    durationMs: clock() - started,
    errors,
  };
  log.info('channels refreshed', { ...report, errors: errors.length });
  return report;
}
