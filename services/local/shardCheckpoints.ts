import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface CheckpointFile {
  /** The stream's creation time: a stream deleted and created again has other sequence numbers. */
  readonly stream: string;
  readonly streamCreatedAt: number;
  readonly shards: Record<string, string>;
}

/**
 * The local poller's position per shard on disk: the sequence number of the last record whose
 * batch was stored (or dead-lettered). Written with write-then-rename after every batch, so a
 * killed `npm start` resumes after the last stored record instead of re-reading the stream or
 * skipping to LATEST. A file for another stream (or a re-created one) is ignored.
 */
export class ShardCheckpoints {
  private readonly shards: Record<string, string>;

  constructor(
    private readonly path: string,
    private readonly stream: string,
    private readonly streamCreatedAt: number,
  ) {
    this.shards = {};
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
      if (file.stream === stream && file.streamCreatedAt === streamCreatedAt) Object.assign(this.shards, file.shards);
    } catch {
      // No file yet, or a torn one: start from the beginning (sinks dedupe what is read twice).
    }
  }

  get(shardId: string): string | undefined {
    return this.shards[shardId];
  }

  set(shardId: string, sequenceNumber: string): void {
    this.shards[shardId] = sequenceNumber;
    const file: CheckpointFile = { stream: this.stream, streamCreatedAt: this.streamCreatedAt, shards: this.shards };
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, JSON.stringify(file));
      renameSync(tmp, this.path);
    } catch {
      // A full or unwritable disk: the file keeps an older position, so a restart reads a little
      // again (sinks dedupe); the position in memory is current, and the next batch tries again.
    }
  }
}
