import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { expireLeasesOf } from './expireLeasesOf.ts';

/** The part of an EventBridge "ECS Task State Change" detail the reaper reads. */
const StoppedTaskDetail = z.object({
  taskArn: z.string().min(1),
  lastStatus: z.string(),
  executionStoppedAt: z.string().optional(),
  stoppingAt: z.string().optional(),
  stoppedAt: z.string().optional(),
  stoppedReason: z.string().optional(),
});

export interface ReapReport {
  readonly taskArn: string;
  readonly diedAt: number;
  readonly expired: readonly string[];
}

/**
 * The lease reaper's logic (lambdas/lease-reaper is a thin handler over it): an ingester task
 * STOPPED, so every lease it still holds is expired at once and a standby takes its slot within
 * its poll period instead of after the lease. Its death time is when its containers stopped
 * (executionStoppedAt), else when ECS began or finished stopping it. A task that shut down
 * cleanly released its lease already: nothing matches and nothing is written.
 */
export async function reapStoppedTask(
  detail: unknown,
  deps: { client: DynamoDBClient; tableName: string; now?: () => number },
): Promise<ReapReport | null> {
  const task = StoppedTaskDetail.parse(detail);
  if (task.lastStatus !== 'STOPPED') return null;
  const times = [task.executionStoppedAt, task.stoppingAt, task.stoppedAt].map((t) => (t === undefined ? NaN : Date.parse(t)));
  const diedAt = times.find((t) => Number.isFinite(t)) ?? (deps.now ?? Date.now)();
  const expired = await expireLeasesOf({ client: deps.client, tableName: deps.tableName, owner: task.taskArn, diedAt });
  return { taskArn: task.taskArn, diedAt, expired: expired.map((l) => `${l.shardId}/${l.replica}`) };
}
