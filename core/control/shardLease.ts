import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { backoffDelay } from '../retry.ts';
import { META_KEY, leaseKey } from './layout.ts';
import { itemToMeta } from './shardItemCodec.ts';

export interface ShardLeaseOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** This task's id, stored as the lease owner. */
  readonly owner: string;
  /** How long a lease lasts without renewal. */
  readonly leaseMs?: number;
  /** Heartbeat period; a third of the lease by default, so two renewals may fail before expiry. */
  readonly renewMs?: number;
  /** How often a standby task looks for a free or expired shard. */
  readonly pollMs?: number;
  /** The lease counts as lost this long before its expiry when no renewal succeeded. */
  readonly safetyMs?: number;
  /** Only ever claim this shard (local runs, tests); otherwise any shard below the meta item's shardCount. */
  readonly shardId?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export type LeaseLostReason = 'taken' | 'expired';

const str = (s: string): AttributeValue => ({ S: s });
const num = (n: number): AttributeValue => ({ N: String(n) });
const ttlFor = (expiresAt: number) => Math.ceil(expiresAt / 1000) + 3600;

/**
 * A shard lease in the control table (core/control/layout.ts), with conditional writes only:
 * a claim succeeds when the item has no owner, has expired, or is already ours; a renewal only
 * while we still own it. When a renewal is refused, or no renewal succeeds before
 * `expiresAt - safetyMs`, the lease is lost and the `onLost` listeners run at once, so the
 * holder stops reading the shard before another task can have claimed it.
 */
export class ShardLease {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly pollMs: number;
  private readonly safetyMs: number;
  private current: { shardId: number; expiresAt: number } | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly lostListeners: ((shardId: number, reason: LeaseLostReason) => void)[] = [];
  private readonly retiredListeners: ((shardId: number, shardCount: number) => void)[] = [];
  /** The held shard already reported as retired (reported once per holding). */
  private retiredReported: number | undefined;

  constructor(private readonly options: ShardLeaseOptions) {
    this.owner = options.owner;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.renewMs = options.renewMs ?? Math.floor(this.leaseMs / 3);
    this.pollMs = options.pollMs ?? Math.floor(this.leaseMs / 3);
    this.safetyMs = options.safetyMs ?? Math.min(2000, Math.floor(this.leaseMs / 5));
  }

  get shardId(): number | undefined {
    return this.current?.shardId;
  }

  get held(): boolean {
    return this.current !== undefined;
  }

  onLost(listener: (shardId: number, reason: LeaseLostReason) => void): void {
    this.lostListeners.push(listener);
  }

  /**
   * Called when the held shard's index is no longer below the assignment meta's shardCount (the
   * refresher shrank the shard count). The lease is still held and renewed: the holder finishes
   * with the shard (its assignment has been emptied) and then calls `release()` and `acquire()`
   * to go back to standby and claim a shard that exists. Checked after every renewal; never
   * for a task pinned to one shard with the `shardId` option.
   */
  onRetired(listener: (shardId: number, shardCount: number) => void): void {
    this.retiredListeners.push(listener);
  }

  /** Waits (as a standby) until a shard can be claimed, claims it and starts the heartbeat. */
  async acquire(signal?: AbortSignal): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        for (const shardId of await this.claimableShards()) {
          if (await this.tryClaim(shardId)) return shardId;
        }
      } catch (error) {
        this.options.logger?.warn('lease poll failed', { error: error as Error, attempt });
      }
      await sleep(this.pollMs + backoffDelay(0, { baseMs: Math.max(1, Math.floor(this.pollMs / 5)) }), undefined, { signal });
    }
  }

  /** One conditional claim of `shardId`; true when this task now holds it. */
  async tryClaim(shardId: number): Promise<boolean> {
    if (this.current) throw new Error(`already holding shard ${this.current.shardId}`);
    const now = Date.now();
    const expiresAt = now + this.leaseMs;
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            pk: str(leaseKey(shardId).pk),
            sk: str(leaseKey(shardId).sk),
            shardId: num(shardId),
            owner: str(this.owner),
            expiresAt: num(expiresAt),
            renewedAt: num(now),
            acquiredAt: num(now),
            ttl: num(ttlFor(expiresAt)),
          },
          ConditionExpression: 'attribute_not_exists(#owner) OR #expiresAt < :now OR #owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': num(now), ':me': str(this.owner) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    this.current = { shardId, expiresAt };
    this.retiredReported = undefined;
    this.options.metrics?.leaseHeld.set(1);
    this.options.logger?.info('lease acquired', { shardId, owner: this.owner, expiresAt });
    this.armDeadline();
    this.scheduleRenew(this.renewMs);
    return true;
  }

  /** Gives the shard up (conditionally, so a lease someone else took over is left alone). */
  async release(): Promise<void> {
    const held = this.current;
    this.stopTimers();
    this.current = undefined;
    this.options.metrics?.leaseHeld.set(0);
    if (!held) return;
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { pk: str(leaseKey(held.shardId).pk), sk: str(leaseKey(held.shardId).sk) },
          UpdateExpression: 'REMOVE #owner SET #expiresAt = :zero, releasedAt = :now',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':zero': num(0), ':now': num(Date.now()), ':me': str(this.owner) },
        }),
      );
      this.options.logger?.info('lease released', { shardId: held.shardId });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Stops the heartbeat without releasing (the lease then expires on its own). */
  stop(): void {
    this.stopTimers();
  }

  private async claimableShards(): Promise<number[]> {
    let candidates: number[];
    if (this.options.shardId !== undefined) candidates = [this.options.shardId];
    else {
      const meta = await this.options.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: { pk: str(META_KEY.pk), sk: str(META_KEY.sk) }, ConsistentRead: true }),
      );
      const shardCount = meta.Item ? itemToMeta(meta.Item).shardCount : 0;
      candidates = Array.from({ length: shardCount }, (_, i) => i);
    }
    const now = Date.now();
    const leases = new Map<number, { owner?: string; expiresAt: number }>();
    for (let i = 0; i < candidates.length; i += 100) {
      const keys = candidates.slice(i, i + 100).map((id) => ({ pk: str(leaseKey(id).pk), sk: str(leaseKey(id).sk) }));
      let request: Record<string, { Keys: Record<string, AttributeValue>[]; ConsistentRead: boolean }> | undefined = {
        [this.options.tableName]: { Keys: keys, ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.options.client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.options.tableName] ?? []) {
          const owner = item.owner?.S;
          leases.set(Number(item.shardId?.N), { ...(owner ? { owner } : {}), expiresAt: Number(item.expiresAt?.N ?? 0) });
        }
        request = out.UnprocessedKeys as typeof request;
      }
    }
    const free = candidates.filter((id) => {
      const lease = leases.get(id);
      return !lease || !lease.owner || lease.expiresAt < now || lease.owner === this.owner;
    });
    // Start at a random free shard so that standbys polling together rarely collide.
    const offset = Math.floor(Math.random() * free.length);
    return [...free.slice(offset), ...free.slice(0, offset)];
  }

  private scheduleRenew(delayMs: number): void {
    this.renewTimer = setTimeout(() => void this.renew(), delayMs);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    const held = this.current;
    if (!held) return;
    const sentAt = Date.now();
    const expiresAt = sentAt + this.leaseMs;
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { pk: str(leaseKey(held.shardId).pk), sk: str(leaseKey(held.shardId).sk) },
          UpdateExpression: 'SET #expiresAt = :exp, renewedAt = :now, #ttl = :ttl',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':exp': num(expiresAt), ':now': num(sentAt), ':ttl': num(ttlFor(expiresAt)), ':me': str(this.owner) },
        }),
      );
      if (this.current !== held) return;
      held.expiresAt = expiresAt;
      this.armDeadline();
      this.scheduleRenew(this.renewMs);
      void this.checkRetired(held);
    } catch (error) {
      if (this.current !== held) return;
      if (error instanceof ConditionalCheckFailedException) {
        this.lose('taken');
        return;
      }
      this.options.logger?.warn('lease renewal failed; retrying', { shardId: held.shardId, error: error as Error });
      this.scheduleRenew(Math.min(1000, Math.floor(this.renewMs / 2)));
    }
  }

  private async checkRetired(held: { shardId: number }): Promise<void> {
    if (this.options.shardId !== undefined || this.retiredListeners.length === 0 || this.retiredReported === held.shardId) return;
    let shardCount: number;
    try {
      const meta = await this.options.client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: { pk: str(META_KEY.pk), sk: str(META_KEY.sk) }, ConsistentRead: true }),
      );
      // No meta item at all: nothing says the shard is gone, keep it.
      if (!meta.Item) return;
      shardCount = itemToMeta(meta.Item).shardCount;
    } catch (error) {
      this.options.logger?.warn('assignment meta read failed; shard count not checked', { shardId: held.shardId, error: error as Error });
      return;
    }
    if (this.current !== held || held.shardId < shardCount || this.retiredReported === held.shardId) return;
    this.retiredReported = held.shardId;
    this.options.logger?.info('held shard is beyond the shard count; giving it back', { shardId: held.shardId, shardCount });
    for (const listener of this.retiredListeners) listener(held.shardId, shardCount);
  }

  private armDeadline(): void {
    const held = this.current;
    if (!held) return;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.lose('expired'), Math.max(0, held.expiresAt - this.safetyMs - Date.now()));
    this.deadlineTimer.unref();
  }

  private lose(reason: LeaseLostReason): void {
    const held = this.current;
    if (!held) return;
    this.stopTimers();
    this.current = undefined;
    this.options.metrics?.leaseHeld.set(0);
    this.options.metrics?.leaseLost.inc();
    this.options.logger?.warn('lease lost', { shardId: held.shardId, reason });
    for (const listener of this.lostListeners) listener(held.shardId, reason);
  }

  private stopTimers(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.renewTimer = undefined;
    this.deadlineTimer = undefined;
  }
}
