import { CodecError } from '../errors.ts';
import { expandCompactChatEvent } from './compactChatEvent.ts';
import {
  compressRecord,
  decompressRecord,
  MAX_UNCOMPRESSED_GROUP_BYTES,
  RECORD_COMPRESSIONS,
  type RecordCompression,
} from './recordCompression.ts';
import { StreamEventSchema, type StreamEvent } from './streamEvent.ts';

/**
 * A Kinesis record is a compressed NDJSON batch of StreamEvents (chat events and stream
 * snapshots): brotli behind the 4-byte magic `PGB2` (`PGB1` before compact lines), or plain gzip
 * (see recordCompression.ts). A line is a full StreamEvent (`{…}`) or a compact chat event
 * (`[received_at,"raw"…]`, see compactChatEvent.ts) that the decoder rebuilds with the normalizer.
 * Kinesis allows 1 MiB of data per record; the encoder fills records towards a target compressed
 * size and never exceeds the hard limit.
 */
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_TARGET_RECORD_BYTES = 256 * 1024;

export interface EncodeOptions {
  /** Compressed size to aim for; at most KINESIS_MAX_RECORD_BYTES. */
  readonly targetBytes?: number;
  /** Hard cap per record (tests lower it to exercise splitting). */
  readonly maxBytes?: number;
  /** brotli (the default: quality 2) or gzip (level 1), as any reader of the stream can decode either. */
  readonly compression?: RecordCompression;
}

export interface EncodedRecord {
  readonly data: Buffer;
  readonly eventCount: number;
  readonly uncompressedBytes: number;
}

/** NDJSON lines of already-serialized events, so callers can serialize once and measure. */
export function serializeEvent(event: StreamEvent): string {
  return JSON.stringify(event);
}

/**
 * Packs serialized event lines into records. Lines are written as UTF-8 straight into one
 * reused buffer as they arrive (no array of strings, no joined copy, no second UTF-8 pass), and
 * `flush` compresses what is pending. Groups are bounded by an uncompressed budget that adapts
 * to the observed compression ratio; a group whose compressed form is over the hard cap is split
 * at line boundaries until it fits.
 */
export class RecordEncoder {
  private readonly targetBytes: number;
  private readonly maxBytes: number;
  private readonly compression: RecordCompression;
  /** Uncompressed bytes per compressed byte seen so far; chat NDJSON is typically 5-8. */
  private ratio = 4;
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** End offset (after the newline) of every pending line. */
  private ends: number[] = [];

  constructor(options: EncodeOptions = {}) {
    this.maxBytes = Math.min(options.maxBytes ?? KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORD_BYTES);
    this.targetBytes = Math.min(options.targetBytes ?? DEFAULT_TARGET_RECORD_BYTES, this.maxBytes);
    this.compression = options.compression ?? { codec: 'brotli', level: RECORD_COMPRESSIONS.brotli.fallback };
  }

  /** The uncompressed size at which a group of lines is expected to reach the target. */
  get uncompressedBudget(): number {
    return Math.min(MAX_UNCOMPRESSED_GROUP_BYTES, Math.max(1024, Math.floor(this.targetBytes * this.ratio * 0.95)));
  }

  /** UTF-8 bytes of the lines appended since the last flush (newlines included). */
  get pendingBytes(): number {
    return this.used;
  }

  get pendingLines(): number {
    return this.ends.length;
  }

  /** Appends one serialized event (without its newline) to the group being filled. */
  append(line: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes; only grow when the worst case might not fit.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.buffer.length) this.grow(this.used + worst);
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.buffer[this.used++] = 0x0a;
    this.ends.push(this.used);
  }

  /** append for a line already in UTF-8 (valid UTF-8 JSON without a newline: the caller's promise). */
  appendUtf8(line: Uint8Array): void {
    if (this.used + line.length + 1 > this.buffer.length) this.grow(this.used + line.length + 1);
    this.buffer.set(line, this.used);
    this.used += line.length;
    this.buffer[this.used++] = 0x0a;
    this.ends.push(this.used);
  }

  /** Compresses the pending lines into records (none when nothing is pending) and starts a new group. */
  flush(): EncodedRecord[] {
    if (this.ends.length === 0) return [];
    const records: EncodedRecord[] = [];
    this.compressGroup(0, this.ends.length, records);
    this.used = 0;
    this.ends = [];
    // Do not keep a buffer far bigger than a group needs (a burst of huge lines, a shrunk budget).
    if (this.buffer.length > 4 * Math.max(this.uncompressedBudget, 64 * 1024)) this.buffer = Buffer.allocUnsafe(64 * 1024);
    return records;
  }

  encodeLines(lines: readonly string[]): EncodedRecord[] {
    const records: EncodedRecord[] = this.flush();
    for (const line of lines) {
      if (this.ends.length > 0 && this.used + Buffer.byteLength(line) + 1 > this.uncompressedBudget) records.push(...this.flush());
      this.append(line);
    }
    records.push(...this.flush());
    return records;
  }

  encode(events: readonly StreamEvent[]): EncodedRecord[] {
    return this.encodeLines(events.map(serializeEvent));
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }

  /** Compresses pending lines [first, last) into `out`, halving the group while it is over the cap. */
  private compressGroup(first: number, last: number, out: EncodedRecord[]): void {
    const start = first === 0 ? 0 : this.ends[first - 1]!;
    const end = this.ends[last - 1]!;
    const uncompressedBytes = end - start;
    const data = compressRecord(this.buffer.subarray(start, end), this.compression);
    if (data.length <= this.maxBytes) {
      this.ratio = this.ratio * 0.7 + (uncompressedBytes / data.length) * 0.3;
      out.push({ data, eventCount: last - first, uncompressedBytes });
      return;
    }
    if (last - first === 1) {
      throw new CodecError(`one event compresses to ${data.length} bytes, over the ${this.maxBytes}-byte record limit`);
    }
    this.ratio = Math.max(1, (uncompressedBytes / data.length) * 0.9);
    const half = first + Math.ceil((last - first) / 2);
    this.compressGroup(first, half, out);
    this.compressGroup(half, last, out);
  }
}

export interface RejectedLine {
  /** 1-based line number inside the record (0 when the whole record is unreadable). */
  readonly lineNumber: number;
  readonly line: string;
  readonly reason: string;
}

export interface DecodedRecord {
  readonly events: StreamEvent[];
  readonly rejects: RejectedLine[];
}

/** Decodes one record's data (already base64-decoded). Never throws: bad input becomes rejects. */
export function decodeRecord(data: Uint8Array): DecodedRecord {
  const result = decompressRecord(data);
  if (typeof result === 'string')
    return { events: [], rejects: [{ lineNumber: 0, line: Buffer.from(data).toString('base64'), reason: result }] };
  return decodeNdjson(result.toString('utf8'));
}

export function decodeNdjson(text: string): DecodedRecord {
  const events: StreamEvent[] = [];
  const rejects: RejectedLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      rejects.push({ lineNumber: i + 1, line, reason: `invalid JSON: ${(error as Error).message}` });
      continue;
    }
    if (Array.isArray(value)) {
      const rebuilt = expandCompactChatEvent(value);
      if (typeof rebuilt === 'string') {
        rejects.push({ lineNumber: i + 1, line, reason: `invalid compact event: ${rebuilt}` });
        continue;
      }
      value = rebuilt;
    }
    const parsed = StreamEventSchema.safeParse(value);
    if (parsed.success) events.push(parsed.data);
    else rejects.push({ lineNumber: i + 1, line, reason: `invalid event: ${formatIssues(parsed.error.issues)}` });
  }
  return { events, rejects };
}

function formatIssues(issues: readonly { path: (string | number)[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
