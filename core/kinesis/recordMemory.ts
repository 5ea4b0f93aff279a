import { batchLength, type PutEntry } from './putRecordsBatch.ts';

/** A sealed record held in memory, owned by memory until Kinesis accepts it or it moves to the journal. */
export interface HeldRecord extends PutEntry {
  readonly sealedAt: number;
}

/**
 * The producer's sealed records in memory, oldest first, with their byte total kept in one place:
 * every way in (sealed, re-queued after a failed put) and out (a put batch, a spill to the
 * journal) goes through here.
 */
export class RecordMemory {
  private records: HeldRecord[] = [];
  private total = 0;

  get bytes(): number {
    return this.total;
  }

  get length(): number {
    return this.records.length;
  }

  get events(): number {
    return this.records.reduce((n, r) => n + r.eventCount, 0);
  }

  /** The `index`-th oldest record (for the spill decisions). */
  at(index: number): HeldRecord | undefined {
    return this.records[index];
  }

  push(record: HeldRecord): void {
    this.records.push(record);
    this.total += record.data.length;
  }

  /** Puts records back at the front (a failed put): they keep their age. */
  requeue(records: readonly HeldRecord[]): void {
    this.records.unshift(...records);
    for (const r of records) this.total += r.data.length;
  }

  /** Removes and returns the `count` oldest records. */
  take(count: number): HeldRecord[] {
    const taken = this.records.splice(0, count);
    for (const r of taken) this.total -= r.data.length;
    return taken;
  }

  /** Replaces each record by what `rewrite` makes of it (null: left out), in place and in order; returns the events that went. */
  rewrite(rewrite: (record: HeldRecord) => HeldRecord | null): number {
    let removedEvents = 0;
    const next: HeldRecord[] = [];
    for (const record of this.records) {
      const kept = rewrite(record);
      removedEvents += record.eventCount - (kept?.eventCount ?? 0);
      if (kept) next.push(kept);
    }
    this.records = next;
    this.total = next.reduce((n, r) => n + r.data.length, 0);
    return removedEvents;
  }

  /** Removes the oldest records that fit one PutRecords call of at most `maxEntries` and `maxBytes`. */
  takeBatch(maxEntries: number, maxBytes: number): { entries: HeldRecord[]; bytes: number } {
    const entries = this.take(batchLength(this.records, maxEntries, maxBytes));
    return { entries, bytes: entries.reduce((n, e) => n + e.data.length, 0) };
  }

  /** How many of the oldest records satisfy `due` (they are in sealing order, so the oldest come first). */
  countFromOldest(due: (record: HeldRecord) => boolean): number {
    let count = 0;
    while (count < this.records.length && due(this.records[count]!)) count++;
    return count;
  }

  /** The fewest oldest records whose bytes reach `excess`. */
  countToFree(excess: number): number {
    let count = 0;
    while (excess > 0 && count < this.records.length) excess -= this.records[count++]!.data.length;
    return count;
  }
}
