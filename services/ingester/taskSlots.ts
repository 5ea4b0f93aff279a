import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ShardLease } from '../../core/control/shardLease.ts';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { LineCapture } from './captureLine.ts';
import type { ConnectionPool } from './connectionPool.ts';
import type { IngesterConfig } from './loadIngesterConfig.ts';
import { ShardSession } from './shardSession.ts';

export interface TaskSlotsOptions {
  readonly config: IngesterConfig;
  readonly dynamo: DynamoDBClient;
  /** The task's one capture: each session's pool reads into `capture.forSlot(its slot)`. */
  readonly capture: LineCapture;
  readonly metrics: IngesterMetrics;
  readonly logger: Logger;
  /** One channel's capture gap after a takeover, in seconds. */
  readonly onCaptureGap: (seconds: number) => void;
}

/** What /healthz says about one slot. */
export interface SlotReadiness {
  readonly ready: boolean;
  readonly detail: { shard: number | null; replica: number | null; connections: number; joined: number };
}

/** Each slot's life as explicit phases: waiting for a lease, serving one session, or stopping. */
type Phase = { kind: 'standby' } | { kind: 'serving'; session: ShardSession } | { kind: 'stopping' };

interface Slot {
  readonly index: number;
  readonly lease: ShardLease;
  readonly logger: Logger;
  phase: Phase;
}

/**
 * The (shard, replica) slots one ingester task serves: SLOTS_PER_TASK of them (one when pinned
 * with SHARD_ID), each with its own lease and, while it holds one, its own ShardSession. They share
 * one owner (the task id), so each excludes the shards the others serve and their claims take
 * turns: a task never holds two replicas of a shard. Only the first free slot polls for a lease,
 * so a standby task of many slots reads the lease items as often as one of a single slot. A lost
 * or retired lease ends that slot's session alone and sends that slot back to standby.
 */
export class TaskSlots {
  private readonly slots: Slot[] = [];
  private readonly abort = new AbortController();
  private readonly leasedWaiters: ((shardId: number) => void)[] = [];
  private claims: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private serving: Promise<unknown> | undefined;

  constructor(private readonly options: TaskSlotsOptions) {
    const { config, logger } = options;
    const count = config.shardId === undefined ? config.slotsPerTask : 1;
    // Every slot waits on the one signal (up to MAX_SLOTS_PER_TASK listeners, not a leak).
    setMaxListeners(count + 10, this.abort.signal);
    if (config.shardId !== undefined && config.slotsPerTask > 1)
      logger.warn('SLOTS_PER_TASK is ignored with SHARD_ID: a pinned task serves one slot', { slotsPerTask: config.slotsPerTask });
    for (let index = 0; index < count; index++) {
      const slotLogger = count > 1 ? logger.child({ slot: index }) : logger;
      const slot: Slot = {
        index,
        logger: slotLogger,
        phase: { kind: 'standby' },
        lease: new ShardLease({
          client: options.dynamo,
          tableName: config.controlTableName,
          owner: config.taskId,
          leaseMs: config.leaseMs,
          renewMs: config.leaseRenewMs,
          pollMs: config.leasePollMs,
          ...(config.shardId !== undefined ? { shardId: config.shardId } : {}),
          replicas: config.captureReplicas,
          ...(config.availabilityZone ? { zone: config.availabilityZone } : {}),
          ...(count > 1 ? { excludeShards: () => this.servedByOthers(slot), claimTurn: (pass) => this.claimTurn(pass) } : {}),
          logger: slotLogger,
          metrics: options.metrics,
        }),
      };
      slot.lease.onLost((shardId, reason) => {
        slot.logger.warn('stopped reading the shard: lease lost', { shardId, reason });
        this.sessionOf(slot)?.end('lost');
      });
      // A shard the refresher retired (index >= shardCount): leave it in order, give the lease back
      // and return to standby, so the slot can serve a shard that exists.
      slot.lease.onRetired((shardId, shardCount) => {
        slot.logger.info('shard retired by the refresher; returning to standby', { shardId, shardCount });
        this.sessionOf(slot)?.end('retired');
      });
      this.slots.push(slot);
    }
  }

  get leases(): ShardLease[] {
    return this.slots.map((slot) => slot.lease);
  }

  /** The pools of the slots serving now, in slot order. */
  get pools(): ConnectionPool[] {
    return this.slots.flatMap((slot) => (slot.phase.kind === 'serving' ? [slot.phase.session.pool] : []));
  }

  /** Starts every slot's loop: claim a lease (waiting as a standby), serve it until it ends, again. */
  start(): void {
    this.serving ??= Promise.all(this.slots.map((slot) => this.serve(slot)));
  }

  /** Resolves with a shard id once any slot holds a lease. */
  whenLeased(): Promise<number> {
    const shardId = this.slots.find((slot) => slot.lease.held)?.lease.shardId;
    return shardId !== undefined ? Promise.resolve(shardId) : new Promise((resolve) => this.leasedWaiters.push(resolve));
  }

  /**
   * Ready while the task holds a slot and every slot it holds is served with all its connections
   * up; a slot still waiting for a lease (nothing free for it) does not make the task unready. One
   * slot reports as the single-slot ingester always did; several list theirs.
   */
  readiness(): { ready: boolean; detail: Record<string, unknown> } {
    const views: SlotReadiness[] = this.slots.map((slot) => {
      const pool = this.sessionOf(slot)?.pool;
      return {
        ready: slot.lease.held && pool !== undefined && pool.allUp,
        detail: {
          shard: slot.lease.shardId ?? null,
          replica: slot.lease.replica ?? null,
          connections: pool?.size ?? 0,
          joined: pool?.joined ?? 0,
        },
      };
    });
    if (views.length === 1) return views[0]!;
    const held = views.filter((_, i) => this.slots[i]!.lease.held);
    return { ready: held.length > 0 && held.every((view) => view.ready), detail: { slots: views.map((view) => view.detail) } };
  }

  /** Pushes the pools' gauges; each pool sets the task's gauges to its own figures, so with several the task's are the sums. */
  publish(): void {
    const pools = this.pools;
    for (const pool of pools) pool.publish();
    if (pools.length < 2) return;
    const { metrics } = this.options;
    metrics.activeConnections.set(pools.reduce((n, pool) => n + pool.upCount, 0));
    metrics.joinedChannels.set(pools.reduce((n, pool) => n + pool.joined, 0));
    metrics.assignedChannels.set(pools.reduce((n, pool) => n + pool.channelCount, 0));
  }

  /** Stops claiming and ends every session (draining what Twitch already sent); resolves once every pool is closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    for (const slot of this.slots) {
      const before = slot.phase;
      slot.phase = { kind: 'stopping' };
      if (before.kind === 'serving') before.session.end('shutdown');
    }
    await this.serving;
  }

  /** Gives every held lease back; true when all releases succeeded (a failed one expires). */
  async release(): Promise<boolean> {
    const released = await Promise.all(
      this.slots.map(async (slot) => {
        try {
          await slot.lease.release();
          return true;
        } catch (error) {
          slot.logger.error('lease release failed; it will expire', { error: error as Error });
          return false;
        }
      }),
    );
    return released.every(Boolean);
  }

  private sessionOf(slot: Slot): ShardSession | undefined {
    return slot.phase.kind === 'serving' ? slot.phase.session : undefined;
  }

  private claimTurn<T>(pass: () => Promise<T>): Promise<T> {
    const turn = this.claims.then(pass);
    this.claims = turn.catch(() => undefined);
    return turn;
  }

  private servedByOthers(self: Slot): Set<number> {
    const shards = new Set<number>();
    for (const slot of this.slots) {
      if (slot === self) continue;
      if (slot.lease.shardId !== undefined) shards.add(slot.lease.shardId);
      // A session still stopping after its lease went counts until its pool is closed.
      if (slot.phase.kind === 'serving') shards.add(slot.phase.session.shardId);
    }
    return shards;
  }

  private lowerSlotsHeld(slot: Slot): boolean {
    return this.slots.slice(0, slot.index).every((lower) => lower.lease.held);
  }

  private async serve(slot: Slot): Promise<void> {
    const { config, logger: _, ...shared } = this.options;
    const { lease } = slot;
    while (!this.stopping) {
      let shardId: number;
      try {
        // Only the first free slot polls (the check is in memory).
        while (!this.lowerSlotsHeld(slot)) await sleep(Math.min(250, config.leasePollMs), undefined, { signal: this.abort.signal });
        shardId = await lease.acquire(this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        // DynamoDB unreachable or throttling: say so, count it, and keep trying as a standby would.
        slot.logger.error('could not claim a shard lease; retrying', { error: error as Error });
        shared.metrics.leaseErrors.inc();
        await sleep(config.leasePollMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        continue;
      }
      const replica = lease.replica ?? 0;
      const session = new ShardSession({
        shardId,
        replica,
        takeover: lease.takeover,
        config,
        dynamo: shared.dynamo,
        capture: shared.capture.forSlot({ shardId, replica }),
        metrics: shared.metrics,
        logger: slot.logger,
        onCaptureGap: shared.onCaptureGap,
        onJoinedAll: (at) => void lease.markJoined(shardId, at),
      });
      // stop() may have run while the claim was in flight.
      if (this.stopping) session.end('shutdown');
      else slot.phase = { kind: 'serving', session };
      for (const resolve of this.leasedWaiters.splice(0)) resolve(shardId);
      await session.start();
      const reason = await session.ended;
      await session.stop(reason);
      if (slot.phase.kind === 'serving' && slot.phase.session === session) slot.phase = { kind: 'standby' };
      if (reason === 'retired' && lease.shardId === shardId) {
        try {
          await lease.release();
        } catch (error) {
          slot.logger.warn('releasing the retired shard failed; it will expire', { shardId, error: error as Error });
        }
      }
    }
  }
}
