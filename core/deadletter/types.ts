/** One line (or whole record) that could not become a stored event, kept with why. */
export interface DeadLetterEntry {
  readonly reason: string;
  /** The offending text; base64 of the bytes when the whole record was unreadable. */
  readonly line: string;
  /** 1-based line number inside the record or file; 0 for the whole record. */
  readonly lineNumber: number;
  readonly sequenceNumber: string | null;
  readonly shardId: string | null;
  /** Where it came from: `kinesis`, `import:<file>`. */
  readonly source: string;
  /** ISO time the entry was written. */
  readonly time: string;
}

export interface DeadLetterWriter {
  /**
   * Stores the entries under `key`. The key is derived from where they came from (shard +
   * sequence number), so a retried record overwrites its own entry instead of adding another.
   */
  write(key: string, entries: readonly DeadLetterEntry[]): Promise<void>;
  /** Where entries go, for logs. */
  readonly destination: string;
}
