import { backoffDelay } from '../retry.ts';
import { PUT_RECORDS_MAX_ENTRIES } from './putRecordsBatch.ts';

/**
 * How hard the producer may push Kinesis: entries per PutRecords call, additive increase after a
 * clean call and halved on throttling (AIMD), and when the next call may start after a failure
 * (capped exponential backoff, at least half its ceiling so that a failure always slows us down).
 */
export class PutPacer {
  /** Entries per call, 1 to PUT_RECORDS_MAX_ENTRIES. */
  window = PUT_RECORDS_MAX_ENTRIES;
  /** Date.now() before which no call may start. */
  resumeAt = 0;
  /** Failed calls (or calls with failed entries) in a row. */
  streak = 0;

  constructor(private readonly maxBackoffMs: number) {}

  succeeded(): void {
    this.streak = 0;
    this.window = Math.min(PUT_RECORDS_MAX_ENTRIES, this.window + 25);
  }

  failed(throttled: boolean, now = Date.now()): void {
    if (throttled) this.window = Math.max(1, Math.floor(this.window / 2));
    this.streak += 1;
    const ceiling = Math.min(this.maxBackoffMs, 50 * 2 ** Math.min(this.streak, 20));
    this.resumeAt = now + Math.floor(ceiling / 2) + backoffDelay(this.streak, { baseMs: 25, maxMs: ceiling / 2 });
  }
}
