import type { StreamEvent } from '../events/streamEvent.ts';
import { deadLetterWithoutOptedOut } from '../optout/deadLetterWithoutOptedOut.ts';
import type { OptOutMatcher } from '../optout/optOutMatcher.ts';
import { isRetriable } from '../retry.ts';
import type { Sink } from '../sinks/types.ts';
import type { DeadLetterStore } from './deadLetterStore.ts';
import { readDeadLetterItem } from './readDeadLetterItem.ts';
import type { DeadLetterEntry } from './types.ts';

export interface RedriveReport {
  /** Items (files, objects) looked at. */
  items: number;
  /** Items fully stored and moved to `redriven/`. */
  redrivenItems: number;
  /** Events newly stored by this run. */
  stored: number;
  /** Events already in the sink (an earlier redrive, or the consumer's own retry). */
  duplicates: number;
  /** Events and entries of opted-out users and channels left out (deleted from the item, never stored). */
  optedOut: number;
  /** Entries left in the dead letter, with why (counted per reason). */
  stillFailing: number;
  readonly reasons: Map<string, number>;
}

export interface RedriveOptions {
  readonly sink: Sink;
  readonly store: DeadLetterStore;
  /** Read and decode only: write nothing, move nothing. */
  readonly dryRun?: boolean;
  /**
   * The opt-out list: what it names is deleted from each item before anything is stored or moved
   * (an item written after the sweep settled, e.g. a record that failed later, is not swept again).
   */
  readonly optOuts?: OptOutMatcher;
  readonly onItem?: (key: string, result: { stored: number; duplicates: number; failing: number }) => void;
}

/** Writes events; when a bulk write is refused for its data, one at a time, so one bad event does not hold back the rest. */
async function store(
  sink: Sink,
  events: StreamEvent[],
): Promise<{ inserted: number; duplicates: number; failed: { event: StreamEvent; error: unknown }[] }> {
  if (events.length === 0) return { inserted: 0, duplicates: 0, failed: [] };
  try {
    const result = await sink.write(events);
    return { ...result, failed: [] };
  } catch (error) {
    if (isRetriable(error) || events.length === 1) return { inserted: 0, duplicates: 0, failed: events.map((event) => ({ event, error })) };
  }
  const total = { inserted: 0, duplicates: 0, failed: [] as { event: StreamEvent; error: unknown }[] };
  for (const event of events) {
    const one = await store(sink, [event]);
    total.inserted += one.inserted;
    total.duplicates += one.duplicates;
    total.failed.push(...one.failed);
  }
  return total;
}

/**
 * `poglytics redrive`: stores what the dead letter holds once the cause is fixed. For each item:
 * decode it again (whole on-failure records and per-event entries alike), write its events to the
 * sink (deduplicated on event_id, so a second run stores nothing new), then move the item to
 * `redriven/` when all of it is stored, or rewrite it with only the entries that still fail (with
 * today's reason). An item is only moved after its events are stored: a crash in between leaves
 * it to be redriven again, harmlessly.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveReport> {
  const { sink, store: deadLetter } = options;
  const report: RedriveReport = {
    items: 0,
    redrivenItems: 0,
    stored: 0,
    duplicates: 0,
    optedOut: 0,
    stillFailing: 0,
    reasons: new Map(),
  };
  for await (const key of deadLetter.list()) {
    report.items++;
    let text = await deadLetter.read(key);
    const rewritten = options.optOuts ? deadLetterWithoutOptedOut(text, options.optOuts) : undefined;
    if (rewritten) {
      report.optedOut += rewritten.removed;
      if (!options.dryRun) {
        if (rewritten.text === null) await deadLetter.remove(key);
        else await deadLetter.replace(key, rewritten.text);
      }
      if (rewritten.text === null) continue;
      text = rewritten.text;
    }
    const contents = readDeadLetterItem(text);
    const failing: DeadLetterEntry[] = [...contents.failing];
    let stored = 0;
    let duplicates = 0;
    if (!options.dryRun) {
      const result = await store(sink, contents.events);
      stored = result.inserted;
      duplicates = result.duplicates;
      const time = new Date().toISOString();
      for (const { event, error } of result.failed) {
        failing.push({
          reason: `sink refused it: ${(error as Error).message}`,
          line: JSON.stringify(event),
          lineNumber: 1,
          sequenceNumber: null,
          shardId: null,
          source: 'redrive',
          time,
        });
      }
      if (failing.length === 0) {
        await deadLetter.markRedriven(key);
        report.redrivenItems++;
      } else if (stored + duplicates > 0) {
        await deadLetter.replace(key, failing.map((e) => JSON.stringify(e)).join('\n') + '\n');
      }
    }
    report.stored += stored;
    report.duplicates += duplicates;
    report.stillFailing += failing.length;
    for (const entry of failing) report.reasons.set(entry.reason, (report.reasons.get(entry.reason) ?? 0) + 1);
    options.onItem?.(key, { stored, duplicates, failing: failing.length });
  }
  return report;
}
