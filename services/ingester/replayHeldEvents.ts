import { setTimeout as sleep } from 'node:timers/promises';
import { siblingWitnessed, type LeaseView } from '../../core/control/leaseItem.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import { eventId, orphanAnchor, windowAnchor } from '../../core/irc/eventId.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import type { KinesisProducer } from '../../core/kinesis/kinesisProducer.ts';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { HeldJournal } from './heldJournal.ts';

export interface HeldReplayOptions {
  readonly journal: HeldJournal;
  readonly producer: Pick<KinesisProducer, 'addUtf8' | 'seal' | 'whenIdle'>;
  /** The lease items of every replica of these shards (core/control/leaseStore.ts readLeases). */
  readonly readLeases: (shardIds: readonly number[]) => Promise<LeaseView[]>;
  /** How long to wait for the stream before counting on the producer's own journal (spill) to keep them. */
  readonly durableAfterMs: number;
  /** The capture's hold bound (idHoldMs): without `orphans`, a replayed id-less line hashes the window of that width it was read in. */
  readonly fallbackWindowMs: number;
  /** Replicas: a replayed id-less line is an orphan (`{orphan}`), matched by content in the sinks. */
  readonly orphans: boolean;
  readonly metrics?: Pick<IngesterMetrics, 'heldReplays'>;
  /** False for an event not to send (an opted-out user's or channel's): counted as left out. */
  readonly keep?: (event: ChatEvent) => boolean;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface HeldReplayReport {
  readonly sent: number;
  readonly witnessed: number;
  readonly unreadable: number;
  readonly optedOut: number;
}

/**
 * Sends what an earlier process on this disk held and never released (it was killed while an
 * id-less line waited for its channel's next timestamped line). An event that has its own id
 * (it only waited for order) is sent as it is: the sinks dedupe it. An id-less one was read by
 * every sibling replica that had its channels joined then, which gives it an id from the line that
 * followed; if such a sibling still holds its slot, it is left to that sibling (sending it here,
 * under the fallback id, would store it twice). Otherwise this is the only copy left, and it is
 * sent as an orphan (`{orphan}`, EventAnchor: the dead process let it go before its anchor came),
 * which the sinks match by content with any copy a sibling sent; with one replica, with the
 * `{window}` id it would have taken in the dead process. The entries stay in
 * the hold journal until the records are in the stream or past the producer's spill window.
 */
export async function replayHeldEvents(options: HeldReplayOptions): Promise<HeldReplayReport> {
  const { journal, producer, logger } = options;
  const left = journal.leftOver;
  if (left.length === 0) return { sent: 0, witnessed: 0, unreadable: 0, optedOut: 0 };
  const shardIds = [...new Set(left.flatMap((r) => (r.anchored && r.finalId === undefined && r.slot ? [r.slot.shardId] : [])))];
  let leases: LeaseView[] = [];
  try {
    if (shardIds.length > 0) leases = await options.readLeases(shardIds);
  } catch (error) {
    // Without the leases nobody can be shown to have it: sending twice is the error to prefer.
    logger?.warn('could not read the sibling leases; sending every left-over held event', { error: error as Error });
  }
  const now = (options.now ?? Date.now)();
  const report = { sent: 0, witnessed: 0, unreadable: 0, optedOut: 0 };
  for (const record of left) {
    const result = normalizeLine(record.raw, record.receivedAt);
    if (result.type !== 'event') {
      report.unreadable++;
      logger?.error('left-over held line is not an event any more; skipped', { result: result.type });
      continue;
    }
    const { event, message } = result;
    if (options.keep && !options.keep(event)) {
      report.optedOut++;
      continue;
    }
    if (record.finalId !== undefined) event.event_id = record.finalId;
    else if (record.anchored) {
      if (record.slot && siblingWitnessed(leases, record.slot, record.readAt, now)) {
        report.witnessed++;
        continue;
      }
      event.event_id = eventId(
        message,
        options.orphans ? orphanAnchor(record.receivedAt) : windowAnchor(record.receivedAt, options.fallbackWindowMs),
      );
    }
    producer.addUtf8(writeCompactChatEvent(event, Buffer.from(record.raw)));
    report.sent++;
  }
  producer.seal();
  const timer = new AbortController();
  await Promise.race([producer.whenIdle(), sleep(options.durableAfterMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
  journal.forgetLeftOver();
  for (const [outcome, n] of Object.entries(report)) if (n > 0) options.metrics?.heldReplays.inc({ outcome }, n);
  logger?.info('held events of an earlier run replayed', { ...report });
  return report;
}
