import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssignmentWatch } from '../../core/control/assignmentWatch.ts';
import type { Takeover } from '../../core/control/shardLease.ts';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { Capture } from './captureLine.ts';
import { ConnectionPool } from './connectionPool.ts';
import type { IngesterConfig } from './loadIngesterConfig.ts';

/** Why a session ends: the lease was lost (stop at once), the shard retired or the task stops (drain). */
export type SessionEnd = 'lost' | 'retired' | 'shutdown';

export interface ShardSessionOptions {
  readonly shardId: number;
  readonly replica: number;
  /** Set when the slot was taken from a task that died: the capture gap is measured from its last sign of life. */
  readonly takeover: Takeover | undefined;
  readonly config: Pick<IngesterConfig, 'irc' | 'channelsPerConnection' | 'controlTableName' | 'assignmentPollMs'>;
  readonly dynamo: DynamoDBClient;
  readonly capture: Capture;
  readonly metrics: IngesterMetrics;
  readonly logger: Logger;
  /** One channel's capture gap, in seconds. */
  readonly onCaptureGap: (seconds: number) => void;
  /** Every assigned channel joined (or refused) since `at`; null when some are being joined again. */
  readonly onJoinedAll?: (at: number | null) => void;
}

/**
 * One holding of one (shard, replica) slot: the connection pool and the assignment watch that
 * serve it, and its own end. A session is made per lease and never reused, so "a pool without a
 * lease" or "a watch of the previous shard" cannot be written. The first `end` wins.
 */
export class ShardSession {
  readonly shardId: number;
  readonly replica: number;
  readonly pool: ConnectionPool;
  /** Resolves with the reason once the session is told to end (it still has to be stopped). */
  readonly ended: Promise<SessionEnd>;
  private readonly watch: AssignmentWatch;
  private resolveEnd!: (reason: SessionEnd) => void;
  /** Channels of the first assignment whose first confirmed JOIN closes a capture gap. */
  private gapOpen: Set<string> | 'all-first' | undefined;
  /** Assigned channels not yet confirmed (undefined before the first assignment), and whether all were reported joined. */
  private unjoined: Set<string> | undefined;
  private allJoined = false;
  private readonly joinCheck: NodeJS.Timeout;

  constructor(private readonly options: ShardSessionOptions) {
    const { shardId, config, metrics, logger } = options;
    this.shardId = shardId;
    this.replica = options.replica;
    this.ended = new Promise((resolve) => (this.resolveEnd = resolve));
    this.gapOpen = options.takeover ? 'all-first' : undefined;
    this.pool = new ConnectionPool({
      ...config.irc,
      channelsPerConnection: config.channelsPerConnection,
      capture: options.capture,
      onJoined: (login) => this.joined(login),
      metrics,
      logger,
    });
    this.watch = new AssignmentWatch({
      client: options.dynamo,
      tableName: config.controlTableName,
      shardId,
      pollMs: config.assignmentPollMs,
      logger,
      onChange: (change) => {
        logger.info('assignment changed', {
          shardId,
          epoch: change.epoch,
          channels: change.channels.length,
          joins: change.joins.length,
          parts: change.parts.length,
        });
        // Only the channels assigned when we took over were left unjoined by the dead task.
        if (this.gapOpen === 'all-first') this.gapOpen = new Set(change.channels.map((c) => c.login));
        this.trackJoins(
          change.channels.map((c) => c.login),
          change.joins.map((c) => c.login),
          change.parts,
        );
        this.pool.apply(change);
      },
    });
    // A refused JOIN (suspended, banned) is seen by the pool, not by a callback: look again now and then.
    this.joinCheck = setInterval(() => this.checkAllJoined(), 1000).unref();
  }

  /** Reads the assignment once (joins start) and keeps following it. */
  start(): Promise<void> {
    return this.watch.start();
  }

  end(reason: SessionEnd): void {
    this.resolveEnd(reason);
  }

  /** Leaves the channels: draining what the server already sent, or at once when the lease is lost. */
  async stop(reason: SessionEnd): Promise<void> {
    clearInterval(this.joinCheck);
    this.watch.stop();
    await this.pool.stop({ drain: reason !== 'lost' });
  }

  private trackJoins(all: readonly string[], joins: readonly string[], parts: readonly string[]): void {
    if (this.unjoined === undefined) this.unjoined = new Set(all);
    else {
      for (const login of joins) this.unjoined.add(login);
      for (const login of parts) this.unjoined.delete(login);
    }
    if (this.allJoined && joins.length > 0) {
      this.allJoined = false;
      this.options.onJoinedAll?.(null);
    }
    this.checkAllJoined();
  }

  private checkAllJoined(): void {
    if (this.allJoined || this.unjoined === undefined) return;
    if (this.unjoined.size > 0) {
      const refused = this.pool.failures();
      for (const login of this.unjoined) if (!refused.has(login)) return;
    }
    this.allJoined = true;
    this.options.onJoinedAll?.(Date.now());
  }

  private joined(login: string): void {
    if (this.unjoined?.delete(login) && this.unjoined.size === 0) this.checkAllJoined();
    const takeover = this.options.takeover;
    if (!takeover || !(this.gapOpen instanceof Set) || !this.gapOpen.delete(login)) return;
    const gapS = Math.max(0, Date.now() - takeover.lastSeenAt) / 1000;
    this.options.onCaptureGap(gapS);
    if (this.gapOpen.size === 0)
      this.options.logger.info('capture gap closed', {
        shardId: this.shardId,
        replica: this.replica,
        takenFrom: takeover.previousOwner,
        lastChannelGapS: gapS,
      });
  }
}
