import { setTimeout as sleep } from 'node:timers/promises';

export interface EcsTaskIdentity {
  /** The task ARN: the lease owner, so the stop-event reaper (lambdas/lease-reaper) can match it. */
  readonly taskArn: string;
  readonly availabilityZone: string | undefined;
}

export class EcsMetadataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcsMetadataError';
  }
}

/**
 * Reads the task's ARN and Availability Zone once, from the ECS task metadata endpoint v4
 * (`$ECS_CONTAINER_METADATA_URI_V4/task`). Undefined outside ECS (no URI). On ECS a failure is
 * fatal after a few tries: an ingester whose owner id the reaper cannot match would leave a blind
 * gap of a whole lease after a crash, so it is better to be replaced.
 */
export async function readEcsTaskMetadata(
  uri: string | undefined,
  fetchFn: typeof fetch = fetch,
  attempts = 3,
): Promise<EcsTaskIdentity | undefined> {
  if (!uri) return undefined;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetchFn(`${uri}/task`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { TaskARN?: unknown; AvailabilityZone?: unknown };
      if (typeof body.TaskARN !== 'string' || body.TaskARN === '') throw new Error('no TaskARN in the task metadata');
      return {
        taskArn: body.TaskARN,
        availabilityZone: typeof body.AvailabilityZone === 'string' && body.AvailabilityZone ? body.AvailabilityZone : undefined,
      };
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await sleep(500 * attempt);
    }
  }
  throw new EcsMetadataError(`could not read the ECS task metadata at ${uri}/task`, { cause: lastError });
}
