import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log.ts';
import type { IngesterMetrics } from '../metrics.ts';
import { backoffDelay } from '../retry.ts';
import { lastSignOfLife } from './leaseItem.ts';
import { claimLease, markJoined, readLeases, releaseLease, renewLease, type LeaseTable } from './leaseStore.ts';
import { rankLeaseSlots } from './rankLeaseSlots.ts';
import { readAssignmentMeta } from './readAssignmentMeta.ts';

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
  /** CAPTURE_REPLICAS: slots per shard, each held by a different task (default 1). */
  readonly replicas?: number;
  /** This task's Availability Zone: stored on the lease, and a slot whose sibling is in the same zone is taken last. */
  readonly zone?: string;
  /**
   * SLOTS_PER_TASK > 1: the shards this task already serves through its other slots. None of their
   * slots is claimed (every lease of a task has the same owner, so a sibling's slot looks like ours),
   * and a task never holds two replicas of one shard.
   */
  readonly excludeShards?: () => ReadonlySet<number>;
  /** Runs the claim passes of one task's leases one at a time, so each sees what the other just claimed. */
  readonly claimTurn?: <T>(pass: () => Promise<T>) => Promise<T>;
  readonly logger?: Logger;
  readonly metrics?: IngesterMetrics;
}

export type LeaseLostReason = 'taken' | 'expired';

/** The slot was taken from an owner that did not release it: when that owner was last seen alive. */
export interface Takeover {
  readonly previousOwner: string;
  readonly lastSeenAt: number;
}

interface Held {
  readonly shardId: number;
  readonly replica: number;
  expiresAt: number;
  readonly takeover: Takeover | undefined;
}

/**
 * A lease on one (shard, replica) slot in the control table (core/control/layout.ts), with
 * conditional writes only: a claim succeeds when the item has no owner, has expired (or was
 * reaped: expiresAt 0), or is already ours; a renewal only while we still own it unexpired.
 * One slot per lease; a task with several (SLOTS_PER_TASK) gives each the shards the others serve to
 * exclude, so two replicas of a shard never share a task. When a renewal is refused, or no renewal succeeds before
 * `expiresAt - safetyMs`, the lease is lost and the `onLost` listeners run at once, so the
 * holder stops reading the shard before another task can have claimed it.
 */
export class ShardLease {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly pollMs: number;
  private readonly safetyMs: number;
  private readonly replicas: number;
  private current: Held | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly lostListeners: ((shardId: number, reason: LeaseLostReason) => void)[] = [];
  private readonly retiredListeners: ((shardId: number, shardCount: number) => void)[] = [];
  /** The held shard already reported as retired (reported once per holding). */
  private retiredReported: number | undefined;
  private readonly table: LeaseTable;

  constructor(private readonly options: ShardLeaseOptions) {
    this.owner = options.owner;
    this.table = { client: options.client, tableName: options.tableName };
    this.leaseMs = options.leaseMs ?? 30_000;
    this.renewMs = options.renewMs ?? Math.floor(this.leaseMs / 3);
    this.pollMs = options.pollMs ?? Math.floor(this.leaseMs / 3);
    this.safetyMs = options.safetyMs ?? Math.min(2000, Math.floor(this.leaseMs / 5));
    this.replicas = options.replicas ?? 1;
  }

  get shardId(): number | undefined {
    return this.current?.shardId;
  }

  get replica(): number | undefined {
    return this.current?.replica;
  }

  /** Set when the held slot was taken over from a task that died or stopped renewing. */
  get takeover(): Takeover | undefined {
    return this.current?.takeover;
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

  /**
   * Publishes on the held lease since when every assigned channel is joined (null: joining some),
   * for siblings deciding what only this task could have read. A failure is logged: a sibling then
   * sees an older value, or none, and errs towards sending twice rather than losing.
   */
  async markJoined(shardId: number, at: number | null): Promise<void> {
    const held = this.current;
    if (!held || held.shardId !== shardId) return;
    try {
      await markJoined(this.table, held, this.owner, at);
    } catch (error) {
      this.options.logger?.warn('could not record the joined time on the lease', { shardId, error: error as Error });
    }
  }

  /** Waits (as a standby) until a shard can be claimed, claims it and starts the heartbeat. */
  async acquire(signal?: AbortSignal): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const pass = async () => {
          for (const slot of await this.claimableSlots()) {
            if (await this.tryClaim(slot.shardId, slot.replica)) return slot.shardId;
          }
          return undefined;
        };
        const shardId = await (this.options.claimTurn ? this.options.claimTurn(pass) : pass());
        if (shardId !== undefined) return shardId;
      } catch (error) {
        this.options.logger?.warn('lease poll failed', { error: error as Error, attempt });
      }
      await sleep(this.pollMs + backoffDelay(0, { baseMs: Math.max(1, Math.floor(this.pollMs / 5)) }), undefined, { signal });
    }
  }

  /** One conditional claim of the slot (shardId, replica); true when this task now holds it. */
  async tryClaim(shardId: number, replica = 0): Promise<boolean> {
    if (this.current) throw new Error(`already holding shard ${this.current.shardId}`);
    const now = Date.now();
    const expiresAt = now + this.leaseMs;
    const claimed = await claimLease(this.table, { shardId, replica }, { owner: this.owner, zone: this.options.zone, now, expiresAt });
    if (!claimed) return false;
    const sign = lastSignOfLife(claimed.previous, this.owner);
    const takeover = sign ? { previousOwner: sign.owner, lastSeenAt: sign.at } : undefined;
    this.current = { shardId, replica, expiresAt, takeover };
    this.retiredReported = undefined;
    this.options.metrics?.leaseHeld.inc();
    this.options.logger?.info('lease acquired', {
      shardId,
      replica,
      owner: this.owner,
      expiresAt,
      ...(takeover ? { takenFrom: takeover.previousOwner, lastSeenAt: takeover.lastSeenAt } : {}),
    });
    this.armDeadline();
    this.scheduleRenew(this.renewMs);
    return true;
  }

  /** Gives the shard up (conditionally, so a lease someone else took over is left alone). */
  async release(): Promise<void> {
    const held = this.current;
    this.stopTimers();
    this.current = undefined;
    if (!held) return;
    this.options.metrics?.leaseHeld.dec();
    if (await releaseLease(this.table, held, this.owner, Date.now()))
      this.options.logger?.info('lease released', { shardId: held.shardId, replica: held.replica });
  }

  /** Stops the heartbeat without releasing (the lease then expires on its own). */
  stop(): void {
    this.stopTimers();
  }

  private async claimableSlots(): Promise<{ shardId: number; replica: number }[]> {
    let shardIds = this.options.shardId === undefined ? [] : [this.options.shardId];
    if (this.options.shardId === undefined) {
      const meta = await readAssignmentMeta(this.options.client, this.options.tableName);
      shardIds = Array.from({ length: meta?.shardCount ?? 0 }, (_, i) => i);
    }
    const served = this.options.excludeShards?.();
    if (served?.size) shardIds = shardIds.filter((shardId) => !served.has(shardId));
    if (shardIds.length === 0) return [];
    // With a sibling replica capturing every shard, the standby's poll reads eventually consistent
    // (half the read units of its poll over every lease item). DynamoDB converges within about a
    // second, so a stale view typically costs one poll period: a slot just freed looks held until the next poll (the sibling captures its
    // channels meanwhile), one just taken looks free and the conditional claim is refused. With a
    // single replica that poll period would be a capture gap, so the read stays consistent.
    const leases = await readLeases(this.table, shardIds, this.replicas, { consistent: this.replicas === 1 });
    return rankLeaseSlots({ shardIds, replicas: this.replicas, leases, owner: this.owner, zone: this.options.zone, now: Date.now() });
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
      const outcome = await renewLease(this.table, held, this.owner, sentAt, expiresAt);
      if (this.current !== held) return;
      if (outcome === 'taken') {
        this.lose('taken');
        return;
      }
      held.expiresAt = expiresAt;
      this.armDeadline();
      this.scheduleRenew(this.renewMs);
      void this.checkRetired(held);
    } catch (error) {
      if (this.current !== held) return;
      this.options.logger?.warn('lease renewal failed; retrying', { shardId: held.shardId, error: error as Error });
      this.scheduleRenew(Math.min(1000, Math.floor(this.renewMs / 2)));
    }
  }

  private async checkRetired(held: { shardId: number }): Promise<void> {
    if (this.options.shardId !== undefined || this.retiredListeners.length === 0 || this.retiredReported === held.shardId) return;
    let shardCount: number;
    try {
      const meta = await readAssignmentMeta(this.options.client, this.options.tableName);
      // No meta item at all: nothing says the shard is gone, keep it.
      if (!meta) return;
      shardCount = meta.shardCount;
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
    this.options.metrics?.leaseHeld.dec();
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
