import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One encoded Kinesis record as the journal stores it. */
export interface JournalRecord {
  readonly data: Buffer;
  readonly eventCount: number;
}

export interface DiskJournalOptions {
  readonly dir: string;
  /** Bytes the journal may occupy on disk; an append past it is refused (the caller counts the drop). */
  readonly maxBytes: number;
  /** Segment file size at which the writer starts a new file; the reader loads one segment at a time. */
  readonly segmentBytes?: number;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  bytes: number;
  records: number;
}

const FRAME_HEADER = 8;
const SEGMENT_PATTERN = /^segment-(\d{12})\.journal$/;
const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.journal`;

/**
 * A bounded, append-only spill journal of encoded Kinesis records on local disk. Frames are
 * `[u32 length][u32 eventCount][data]`; segments are read oldest first, so the journal drains in
 * the order it was written. Reads are acknowledged explicitly (`peek` then `ack`): a crash between
 * the two re-sends a record, which is harmless because sinks dedupe on event_id. A truncated last
 * frame (crash mid-write) is ignored when the directory is reopened.
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
  /** Why the disk last refused a write (ENOSPC, EIO, …), for the producer's log. */
  lastError: string | undefined;

  constructor(options: DiskJournalOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    mkdirSync(this.dir, { recursive: true });
    const names = readdirSync(this.dir).filter((n) => SEGMENT_PATTERN.test(n)).sort();
    for (const name of names) {
      const seq = Number(SEGMENT_PATTERN.exec(name)![1]);
      const path = join(this.dir, name);
      const { records, events, validBytes } = scanSegment(readFileSync(path));
      if (records === 0) {
        unlinkSync(path);
        continue;
      }
      if (validBytes < statSync(path).size) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, validBytes);
        closeSync(fd);
      }
      this.segments.push({ seq, path, bytes: validBytes, records });
      this.diskBytes += validBytes;
      this.recordCount += records;
      this.eventTotal += events;
      this.nextSeq = seq + 1;
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

  get isEmpty(): boolean {
    return this.recordCount === 0;
  }

  /**
   * Appends records in order and returns how many were written: it stops at the first record that
   * would take the journal past maxBytes or that the disk refuses (ENOSPC), leaving no partial frame.
   */
  append(records: readonly JournalRecord[]): number {
    let written = 0;
    for (const record of records) {
      const frameBytes = FRAME_HEADER + record.data.length;
      if (this.diskBytes + frameBytes > this.maxBytes) break;
      const tail = this.writableTail(frameBytes);
      const frame = Buffer.allocUnsafe(frameBytes);
      frame.writeUInt32LE(record.data.length, 0);
      frame.writeUInt32LE(record.eventCount, 4);
      record.data.copy(frame, FRAME_HEADER);
      try {
        let offset = 0;
        while (offset < frameBytes) offset += writeSync(this.tailFd!, frame, offset, frameBytes - offset);
      } catch (error) {
        this.lastError = (error as Error).message;
        try {
          ftruncateSync(this.tailFd!, tail.bytes);
        } catch {
          // The frame length check on reopen discards whatever partial bytes remain.
        }
        break;
      }
      tail.bytes += frameBytes;
      tail.records += 1;
      this.diskBytes += frameBytes;
      this.recordCount += 1;
      this.eventTotal += record.eventCount;
      written += 1;
    }
    return written;
  }

  /** The oldest unacknowledged records, without removing them. */
  peek(maxRecords: number, maxBytes: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    if (this.recordCount === 0) return out;
    const head = this.loadHead();
    if (!head) return out;
    let offset = head.offset;
    let bytes = 0;
    while (out.length < maxRecords && offset + FRAME_HEADER <= head.buffer.length) {
      const length = head.buffer.readUInt32LE(offset);
      const eventCount = head.buffer.readUInt32LE(offset + 4);
      if (out.length > 0 && bytes + length > maxBytes) break;
      out.push({ data: head.buffer.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + length), eventCount });
      bytes += length;
      offset += FRAME_HEADER + length;
    }
    return out;
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
        unlinkSync(segment.path);
      }
    }
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
      const seq = this.nextSeq++;
      tail = { seq, path: join(this.dir, segmentName(seq)), bytes: 0, records: 0 };
      this.tailFd = openSync(tail.path, 'a');
      this.segments.push(tail);
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
    this.head = { seq: segment.seq, buffer: readFileSync(segment.path).subarray(0, segment.bytes), offset: 0 };
    return this.head;
  }
}

function scanSegment(buffer: Buffer): { records: number; events: number; validBytes: number } {
  let offset = 0;
  let records = 0;
  let events = 0;
  while (offset + FRAME_HEADER <= buffer.length) {
    const length = buffer.readUInt32LE(offset);
    if (offset + FRAME_HEADER + length > buffer.length) break;
    events += buffer.readUInt32LE(offset + 4);
    offset += FRAME_HEADER + length;
    records += 1;
  }
  return { records, events, validBytes: offset };
}
