import { closeSync, fsyncSync, openSync } from 'node:fs';

/** One encoded Kinesis record as the journal stores it. */
export interface JournalRecord {
  readonly data: Buffer;
  readonly eventCount: number;
}

/**
 * The journal's on-disk format. A segment file `segment-<12 digits>.journal` holds frames
 * `[u32 length][u32 eventCount][data]`, little-endian; a truncated last frame (a crash mid-write)
 * is not a frame.
 */
export const FRAME_HEADER = 8;
export const SEGMENT_PATTERN = /^segment-(\d{12})\.journal$/;
export const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.journal`;

/** The frames of `records` as one buffer (one write), and the events they carry. */
export function encodeFrames(records: readonly JournalRecord[], bytes: number): { chunk: Buffer; events: number } {
  const chunk = Buffer.allocUnsafe(bytes);
  let at = 0;
  let events = 0;
  for (const record of records) {
    chunk.writeUInt32LE(record.data.length, at);
    chunk.writeUInt32LE(record.eventCount, at + 4);
    record.data.copy(chunk, at + FRAME_HEADER);
    at += FRAME_HEADER + record.data.length;
    events += record.eventCount;
  }
  return { chunk, events };
}

/** Up to `maxRecords` frames from `offset` (at least one, then no more than `maxBytes` of data), as views of `buffer`. */
export function readFrames(buffer: Buffer, offset: number, maxRecords: number, maxBytes: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  let bytes = 0;
  while (out.length < maxRecords && offset + FRAME_HEADER <= buffer.length) {
    const length = buffer.readUInt32LE(offset);
    const eventCount = buffer.readUInt32LE(offset + 4);
    if (out.length > 0 && bytes + length > maxBytes) break;
    out.push({ data: buffer.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + length), eventCount });
    bytes += length;
    offset += FRAME_HEADER + length;
  }
  return out;
}

/** The whole frames at the start of a segment file: how many, their events, and where the last one ends. */
export function scanSegment(buffer: Buffer): { records: number; events: number; validBytes: number } {
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

/** fsync of a directory: a created or removed segment file survives a power loss. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
