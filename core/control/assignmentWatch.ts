import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log.ts';
import type { ShardChannel } from './layout.ts';
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
 * next poll; the previous assignment stays in force meanwhile. Later polls first read only the
 * item's version (epoch, updatedAt) and fetch the channel list only when it changed, so an idle
 * watch over thousands of channels costs neither CPU nor garbage.
 */
export class AssignmentWatch {
  private readonly known = new Map<string, ShardChannel>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private epoch = -1;
  /** `epoch:updatedAt` of the last full read ('none' for a missing item); undefined before the first. */
  private version: string | undefined;

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
      if (this.version !== undefined) {
        const version = await readShardVersion(client, tableName, shardId);
        if ((version ? `${version.epoch}:${version.updatedAt}` : 'none') === this.version) return;
      }
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
    const changed = joins.length > 0 || parts.length > 0 || epoch !== this.epoch;
    this.known.clear();
    for (const [login, channel] of next) this.known.set(login, channel);
    this.epoch = epoch;
    this.version = assignment ? `${assignment.epoch}:${assignment.updatedAt}` : 'none';
    if (changed) this.options.onChange({ shardId, epoch, channels, joins, parts });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.pollMs ?? 5000);
    this.timer.unref();
  }
}
