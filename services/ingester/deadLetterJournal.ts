import { appendFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DeadLetter {
  readonly receivedAt: number;
  readonly reason: string;
  /** The line as text (undecodable bytes shown as U+FFFD)… */
  readonly raw: string;
  /** …and, for a line that is not UTF-8, its exact bytes. */
  readonly rawBase64?: string;
  readonly connection: number;
}

/**
 * Rejected IRC lines, kept with their reason as NDJSON in `<dir>/irc-rejects.ndjson` (rare, so
 * written synchronously). Bounded by `maxBytes`: past it, lines are only counted (the caller's
 * parse-reject metric still sees every one).
 */
export class DeadLetterJournal {
  readonly path: string;
  private bytes: number;
  private refused = 0;

  constructor(
    dir: string,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'irc-rejects.ndjson');
    try {
      this.bytes = statSync(this.path).size;
    } catch {
      this.bytes = 0;
    }
  }

  /** Why the last append was refused by the disk (ENOSPC, EACCES, …), for the caller's log. */
  lastError: string | undefined;

  get refusedCount(): number {
    return this.refused;
  }

  /** Appends one rejected line; false when the journal is full or the disk refuses. */
  write(letter: DeadLetter): boolean {
    const exact = letter.rawBase64 === undefined ? {} : { raw_base64: letter.rawBase64 };
    const line = JSON.stringify({ received_at: letter.receivedAt, reason: letter.reason, connection: letter.connection, raw: letter.raw, ...exact }) + '\n';
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.maxBytes) {
      this.refused++;
      return false;
    }
    try {
      appendFileSync(this.path, line);
    } catch (error) {
      this.refused++;
      this.lastError = (error as Error).message;
      return false;
    }
    this.bytes += size;
    return true;
  }
}
