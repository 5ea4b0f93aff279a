import type { StreamSnapshot } from '../events/streamSnapshot.ts';
import { selectSnapshots, type SnapshotPolicy } from './selectSnapshots.ts';
import type { SnapshotStateStore } from './snapshotStateStore.ts';

export interface PublishChangedSnapshotsDeps {
  readonly state: Pick<SnapshotStateStore, 'load' | 'save'>;
  readonly policy: SnapshotPolicy;
  /** Writes the chosen snapshots to the stream (publishSnapshots). */
  readonly publish: (snapshots: StreamSnapshot[]) => Promise<unknown>;
}

export interface PublishChangedSnapshotsResult {
  /** Snapshots published (rows the sinks will store). */
  readonly events: number;
  /** Snapshots offered: every live channel of this refresh. */
  readonly offered: number;
  readonly stateConflicts: number;
}

/**
 * Publishes only the snapshots that selectSnapshots finds changed (or due for the hourly
 * heartbeat), remembering what was published in the control table. Publish first, remember
 * after: a refresh that dies between the two publishes those snapshots again next time (a
 * duplicate row at worst), never skips one it did not publish.
 */
export async function publishChangedSnapshots(
  snapshots: readonly StreamSnapshot[],
  now: number,
  deps: PublishChangedSnapshotsDeps,
): Promise<PublishChangedSnapshotsResult> {
  const loaded = await deps.state.load();
  const { publish, state } = selectSnapshots(snapshots, loaded.entries, deps.policy, now);
  if (publish.length > 0) await deps.publish(publish);
  const saved = await deps.state.save(loaded, state, now);
  return { events: publish.length, offered: snapshots.length, stateConflicts: saved.conflicts };
}
