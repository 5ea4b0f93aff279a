/** The most slots one ingester task serves (SLOTS_PER_TASK); the cost model may choose any count up to it. */
export const MAX_SLOTS_PER_TASK = 64;

export interface DesiredTaskSettings {
  /** Warm standbys that take over a dead task's slots. */
  readonly standbyTasks: number;
  /** CAPTURE_REPLICAS: every shard is served by this many tasks (default 1). */
  readonly captureReplicas?: number;
  /** SLOTS_PER_TASK: (shard, replica) slots one task serves (default 1). */
  readonly slotsPerTask?: number;
}

/**
 * How many ingester tasks the service should run: enough to hold every (shard, replica) slot at
 * SLOTS_PER_TASK a task, `ceil(shards × replicas / slotsPerTask)`, but never fewer than the replica
 * count (a task holds at most one replica of a shard, so each replica of a shard needs its own
 * task), plus the warm standbys. No shards: the standbys only.
 */
export function desiredTasks(shardCount: number, settings: DesiredTaskSettings): number {
  const replicas = settings.captureReplicas ?? 1;
  const slotsPerTask = settings.slotsPerTask ?? 1;
  const serving = shardCount === 0 ? 0 : Math.max(replicas, Math.ceil((shardCount * replicas) / slotsPerTask));
  return serving + settings.standbyTasks;
}
