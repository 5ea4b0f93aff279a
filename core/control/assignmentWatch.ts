import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log.ts';
import type { ShardChannel } from './layout.ts';
import { readAssignmentMeta } from './readAssignmentMeta.ts';
import { readShardAssignment } from './readShardAssignment.ts';
import { readShardVersion } from './readShardVersion.ts';

export interface AssignmentChange {
  readonly shardId: number;
  readonly epoch: number;
  /** The full assignment, for load figures (viewer counts). */
  readonly channels: readonly ShardChannel[];
  /** Newly assigned channels. */
  readonly joins: readonly ShardChannel[];
  /** Logins no longer assigned. */
  readonly parts: readonly string[];
}

export interface AssignmentWatchOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly shardId: number;
  readonly pollMs?: number;
  readonly logger?: Logger;
  readonly onChange: (change: AssignmentChange) => void;
}

/**
 * Polls one shard's assignment item and reports what changed since the last report: channels
 * to join and channels to part. The first successful read reports every assigned channel as a
 * join. A missing item means an empty assignment. Read failures are logged and retried at the
 * next poll; the previous assignment stays in force meanwhile.
 *
 * Later polls read only the assignment meta item (~100 B: 1 read unit) and fetch the channel
 * list (~120 KB: 30 read units, billed whole even for a projection) only when the meta epoch is
 * above the epoch of the shard item last read. That is exact because a refresh claims epoch E on
 * the meta item before it puts any shard item with epoch E, and a shard item's epoch only grows
 * (assignmentStore.ts): a meta epoch at or below the one read means no put since. While a refresh
 * is mid-write, or after one crashed between its claim and its puts, the shard item lags the meta
 * epoch and each poll reads it again until it catches up (the next refresh). Without a meta item
 * (a table written by hand, or before any refresh) the poll falls back to the shard item's own
 * epoch and updatedAt (readShardVersion.ts), the whole item's price.
 */
export class AssignmentWatch {
  private readonly known = new Map<string, ShardChannel>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last full read: the shard item's epoch (0 when missing) and `epoch:updatedAt`; undefined before the first. */
  private read: { readonly epoch: number; readonly version: string } | undefined;

  constructor(private readonly options: AssignmentWatchOptions) {}

  /** Reads once (so the caller knows the assignment before it returns), then keeps polling. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One read and diff; exposed so a caller can force a refresh. */
  async poll(): Promise<void> {
    const { client, tableName, shardId } = this.options;
    let assignment;
    try {
      if (this.read !== undefined && !(await this.changedSince(this.read))) return;
      assignment = await readShardAssignment(client, tableName, shardId);
    } catch (error) {
      this.options.logger?.warn('assignment read failed', { shardId, error: error as Error });
      return;
    }
    if (this.stopped) return;
    const channels = assignment?.channels ?? [];
    const next = new Map(channels.map((c) => [c.login, c]));
    const joins = channels.filter((c) => !this.known.has(c.login));
    const parts = [...this.known.keys()].filter((login) => !next.has(login));
    const epoch = assignment?.epoch ?? 0;
    const changed = joins.length > 0 || parts.length > 0 || epoch !== (this.read?.epoch ?? -1);
    this.known.clear();
    for (const [login, channel] of next) this.known.set(login, channel);
    this.read = { epoch, version: versionOf(assignment) };
    if (changed) this.options.onChange({ shardId, epoch, channels, joins, parts });
  }

  /** Whether the shard item may have changed since `read`, from the small meta item when there is one. */
  private async changedSince(read: { readonly epoch: number; readonly version: string }): Promise<boolean> {
    const { client, tableName, shardId } = this.options;
    const meta = await readAssignmentMeta(client, tableName);
    if (meta) return meta.epoch > read.epoch;
    return versionOf(await readShardVersion(client, tableName, shardId)) !== read.version;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.pollMs ?? 5000);
    this.timer.unref();
  }
}

const versionOf = (shard: { readonly epoch: number; readonly updatedAt: number } | null) =>
  shard ? `${shard.epoch}:${shard.updatedAt}` : 'none';
