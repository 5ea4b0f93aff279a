import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { rewriteSegment, type RecordRewriter } from './rewriteSegment.ts';
import {
  encodeFrames,
  FRAME_HEADER,
  readFrames,
  scanSegment,
  SEGMENT_PATTERN,
  segmentName,
  syncDirectory,
  type JournalRecord,
} from './journalFrames.ts';

export type { JournalRecord } from './journalFrames.ts';
export type { RecordRewriter } from './rewriteSegment.ts';
const REWRITE_LEFTOVER = /\.rewrite\.tmp$/;

export interface DiskJournalOptions {
  readonly dir: string;
  /** Bytes the journal may occupy on disk; an append past it is refused (the caller counts the drop). */
  readonly maxBytes: number;
  /** Segment file size at which the writer starts a new file; the reader loads one segment at a time. */
  readonly segmentBytes?: number;
  /**
   * fdatasync once per `append` call (default true): an append that returned is on disk, not only
   * in the page cache. The producer appends in batches every ~100 ms, so this is one sync per batch.
   */
  readonly sync?: boolean;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  bytes: number;
  records: number;
}

/**
 * A bounded, append-only spill journal of encoded Kinesis records on local disk. Frames are
 * `[u32 length][u32 eventCount][data]`; segments are read oldest first, so the journal drains in
 * the order it was written. Reads are acknowledged explicitly (`peek` then `ack`): a crash between
 * the two re-sends a record, which is harmless because sinks dedupe on event_id. A truncated last
 * frame (crash mid-write) is ignored when the directory is reopened.
 *
 * A disk that refuses (ENOSPC, EACCES, EIO, a directory that cannot be created) never throws out of
 * here: `append` returns how many records it took and `lastError` says why; the caller keeps the
 * rest and tries again later. A directory that could not be opened is opened on the next append.
 * Acknowledgements live in memory: after a crash the head segment is sent again (duplicates are
 * harmless, sinks dedupe on event_id, and at most one segment of them).
 */
export class DiskJournal {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segments: Segment[] = [];
  private tailFd: number | undefined;
  private nextSeq = 0;
  private head: { seq: number; buffer: Buffer; offset: number } | undefined;
  private diskBytes = 0;
  private recordCount = 0;
  private eventTotal = 0;
  private readonly sync: boolean;
  private opened = false;
  /** Why the disk last refused a write (ENOSPC, EIO, …), for the producer's log. */
  lastError: string | undefined;
  /** The error code of lastError (ENOSPC, EACCES, …), for a metric label. */
  lastErrorCode: string | undefined;

  constructor(options: DiskJournalOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.sync = options.sync ?? true;
    this.tryOpen();
  }

  /** False while the directory could not be created or read (the next append tries again). */
  get isOpen(): boolean {
    return this.opened;
  }

  private tryOpen(): boolean {
    if (this.opened) return true;
    try {
      this.open();
      this.opened = true;
      return true;
    } catch (error) {
      this.noteError(error);
      return false;
    }
  }

  private noteError(error: unknown): void {
    this.lastError = (error as Error).message;
    this.lastErrorCode = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  }

  private open(): void {
    mkdirSync(this.dir, { recursive: true });
    const all = readdirSync(this.dir);
    // A rewrite cut short by a crash: its segment is still the old one, whole.
    for (const name of all) if (REWRITE_LEFTOVER.test(name)) unlinkSync(join(this.dir, name));
    const names = all.filter((n) => SEGMENT_PATTERN.test(n)).sort();
    // Read everything before keeping anything, so that a segment the disk refuses to read leaves
    // the journal closed (retried later) instead of half loaded.
    const found: { segment: Segment; events: number; size: number }[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const { records, events, validBytes } = scanSegment(readFileSync(path));
      const seq = Number(SEGMENT_PATTERN.exec(name)![1]);
      found.push({ segment: { seq, path, bytes: validBytes, records }, events, size: statSync(path).size });
    }
    for (const { segment, events, size } of found) {
      this.nextSeq = segment.seq + 1;
      if (segment.records === 0) {
        unlinkSync(segment.path);
        continue;
      }
      if (segment.bytes < size) {
        const fd = openSync(segment.path, 'r+');
        ftruncateSync(fd, segment.bytes);
        closeSync(fd);
      }
      this.segments.push(segment);
      this.diskBytes += segment.bytes;
      this.recordCount += segment.records;
      this.eventTotal += events;
    }
  }

  /** Bytes on disk, including the already-sent part of the segment being read. */
  get bytes(): number {
    return this.diskBytes;
  }

  get records(): number {
    return this.recordCount;
  }

  get events(): number {
    return this.eventTotal;
  }

  /** The newest segment's seq (a rewrite in slices goes no further than the segments it started with). */
  get lastSeq(): number | undefined {
    return this.segments.at(-1)?.seq;
  }

  get isEmpty(): boolean {
    return this.recordCount === 0;
  }

  /**
   * Appends records in order, then syncs, and returns how many were written: it stops at the first
   * record that would take the journal past maxBytes or that the disk refuses (ENOSPC, EACCES),
   * leaving no partial frame. One write per segment touched and one fdatasync per call.
   */
  append(records: readonly JournalRecord[]): number {
    if (records.length === 0 || !this.tryOpen()) return 0;
    let written = 0;
    while (written < records.length) {
      // Frames for the current tail segment, as one buffer.
      let tail: Segment;
      try {
        tail = this.writableTail(FRAME_HEADER + records[written]!.data.length);
      } catch (error) {
        this.noteError(error);
        break;
      }
      const frames: JournalRecord[] = [];
      let chunkBytes = 0;
      for (let i = written; i < records.length; i++) {
        const frameBytes = FRAME_HEADER + records[i]!.data.length;
        if (this.diskBytes + chunkBytes + frameBytes > this.maxBytes) break;
        if (frames.length > 0 && tail.bytes + chunkBytes + frameBytes > this.segmentBytes) break;
        frames.push(records[i]!);
        chunkBytes += frameBytes;
      }
      if (frames.length === 0) {
        this.lastError = `journal bound of ${this.maxBytes} bytes reached`;
        this.lastErrorCode = 'JOURNAL_FULL';
        break;
      }
      const { chunk, events } = encodeFrames(frames, chunkBytes);
      try {
        let offset = 0;
        while (offset < chunkBytes) offset += writeSync(this.tailFd!, chunk, offset, chunkBytes - offset);
        if (this.sync) fdatasyncSync(this.tailFd!);
      } catch (error) {
        this.noteError(error);
        try {
          ftruncateSync(this.tailFd!, tail.bytes);
        } catch {
          // The frame length check on reopen discards whatever partial bytes remain.
        }
        break;
      }
      tail.bytes += chunkBytes;
      tail.records += frames.length;
      this.diskBytes += chunkBytes;
      this.recordCount += frames.length;
      this.eventTotal += events;
      written += frames.length;
    }
    return written;
  }

  /** The oldest unacknowledged records, without removing them; none while the disk refuses reads. */
  peek(maxRecords: number, maxBytes: number): JournalRecord[] {
    if (this.recordCount === 0) return [];
    const head = this.loadHead();
    return head ? readFrames(head.buffer, head.offset, maxRecords, maxBytes) : [];
  }

  /** Removes the `count` oldest records (those a `peek` returned and Kinesis accepted). */
  ack(count: number): void {
    for (let i = 0; i < count; i++) {
      const head = this.loadHead();
      if (!head) return;
      const length = head.buffer.readUInt32LE(head.offset);
      const eventCount = head.buffer.readUInt32LE(head.offset + 4);
      head.offset += FRAME_HEADER + length;
      this.recordCount -= 1;
      this.eventTotal -= eventCount;
      const segment = this.segments[0]!;
      segment.records -= 1;
      if (segment.records === 0) {
        this.segments.shift();
        this.diskBytes -= segment.bytes;
        this.head = undefined;
        try {
          unlinkSync(segment.path);
        } catch (error) {
          // Left behind, it is sent once more after a restart: a duplicate, not a loss.
          this.noteError(error);
        }
      }
    }
  }

  /**
   * Rewrites the journal's files with every unsent record passed through `rewrite` (opt-out
   * deletion: records without an opted-out user's lines), segment by segment and atomically
   * (rewriteSegment.ts); the sent part of the head segment goes too. Oldest segment first, from
   * the one after `after` (a seq) through `through`, until `until` (ms since epoch) has passed after a segment:
   * `next` is then where to go on (the producer spreads a big journal over its ticks, so the
   * event loop is never held for long), undefined when all is done. The caller makes sure no
   * `peek` is waiting for its `ack` (the producer runs it between put calls). Appends go to a new
   * segment afterwards. Throws when the disk refuses; the segments done so far stay done, the
   * others untouched, and a second call picks up where it stopped.
   */
  rewrite(
    rewrite: RecordRewriter,
    options: { readonly after?: number; readonly through?: number; readonly until?: number } = {},
  ): { removedRecords: number; removedEvents: number; next: number | undefined } {
    const result = { removedRecords: 0, removedEvents: 0, next: undefined as number | undefined };
    if (!this.tryOpen()) throw new Error(`journal ${this.dir} is not open: ${this.lastError}`);
    const todo = this.segments.filter((s) => s.seq > (options.after ?? -1) && s.seq <= (options.through ?? Number.MAX_SAFE_INTEGER));
    for (const [index, segment] of todo.entries()) {
      if (index > 0 && options.until !== undefined && Date.now() >= options.until) {
        result.next = todo[index - 1]!.seq;
        break;
      }
      if (segment === this.segments.at(-1) && this.tailFd !== undefined) {
        // Appends go to a new segment from here: the old file is about to be replaced.
        closeSync(this.tailFd);
        this.tailFd = undefined;
      }
      const head = this.head?.seq === segment.seq ? this.head : undefined;
      const buffer = head ? head.buffer : readFileSync(segment.path).subarray(0, segment.bytes);
      const done = rewriteSegment(this.dir, segment.path, buffer, head?.offset ?? 0, rewrite);
      if (!done) continue;
      if (head) this.head = undefined;
      const { events: before } = scanSegment(buffer.subarray(head?.offset ?? 0));
      this.diskBytes += done.bytes - segment.bytes;
      this.recordCount += done.records - segment.records;
      this.eventTotal += done.events - before;
      segment.bytes = done.bytes;
      segment.records = done.records;
      if (done.records === 0) this.segments.splice(this.segments.indexOf(segment), 1);
      result.removedRecords += done.removedRecords;
      result.removedEvents += done.removedEvents;
    }
    return result;
  }

  close(): void {
    if (this.tailFd !== undefined) closeSync(this.tailFd);
    this.tailFd = undefined;
  }

  private writableTail(frameBytes: number): Segment {
    let tail = this.segments.at(-1);
    const tailIsHead = tail !== undefined && this.head?.seq === tail.seq;
    if (this.tailFd === undefined || !tail || tailIsHead || tail.bytes + frameBytes > this.segmentBytes) {
      if (this.tailFd !== undefined) closeSync(this.tailFd);
      this.tailFd = undefined;
      const seq = this.nextSeq;
      const path = join(this.dir, segmentName(seq));
      this.tailFd = openSync(path, 'a');
      this.nextSeq += 1;
      tail = { seq, path, bytes: 0, records: 0 };
      this.segments.push(tail);
      // The new file's name must be on disk too, or a synced frame could sit in an unnamed file.
      if (this.sync) syncDirectory(this.dir);
    }
    return tail;
  }

  private loadHead(): { seq: number; buffer: Buffer; offset: number } | undefined {
    const segment = this.segments[0];
    if (!segment) return undefined;
    if (this.head?.seq === segment.seq) return this.head;
    if (this.segments.length === 1 && this.tailFd !== undefined) {
      // The writer must not append to a segment the reader has loaded: start a new tail.
      closeSync(this.tailFd);
      this.tailFd = undefined;
    }
    try {
      this.head = { seq: segment.seq, buffer: readFileSync(segment.path).subarray(0, segment.bytes), offset: 0 };
    } catch (error) {
      this.noteError(error);
      return undefined;
    }
    return this.head;
  }
}
