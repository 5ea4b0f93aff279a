import { gunzipSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { CodecError } from '../errors.ts';
import { StreamEventSchema, type StreamEvent } from './streamEvent.ts';

/**
 * A Kinesis record is a gzip-compressed NDJSON batch of StreamEvents (chat events and stream
 * snapshots). Kinesis allows 1 MiB of data per record; the encoder fills records towards a
 * target compressed size and never exceeds the hard limit.
 */
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;
export const DEFAULT_TARGET_RECORD_BYTES = 256 * 1024;

export interface EncodeOptions {
  /** Compressed size to aim for; at most KINESIS_MAX_RECORD_BYTES. */
  readonly targetBytes?: number;
  /** Hard cap per record (tests lower it to exercise splitting). */
  readonly maxBytes?: number;
  readonly gzipLevel?: number;
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
 * Packs serialized event lines into records. Lines are grouped by an uncompressed budget that
 * adapts to the observed compression ratio; a group whose compressed form is over the hard cap
 * is split in half until it fits.
 */
export class RecordEncoder {
  private readonly targetBytes: number;
  private readonly maxBytes: number;
  private readonly level: number;
  /** Uncompressed bytes per compressed byte seen so far; chat NDJSON is typically 5-8. */
  private ratio = 4;

  constructor(options: EncodeOptions = {}) {
    this.maxBytes = Math.min(options.maxBytes ?? KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORD_BYTES);
    this.targetBytes = Math.min(options.targetBytes ?? DEFAULT_TARGET_RECORD_BYTES, this.maxBytes);
    this.level = options.gzipLevel ?? 6;
  }

  /** The uncompressed size at which a group of lines is expected to reach the target. */
  get uncompressedBudget(): number {
    return Math.max(1024, Math.floor(this.targetBytes * this.ratio * 0.95));
  }

  encodeLines(lines: readonly string[]): EncodedRecord[] {
    const records: EncodedRecord[] = [];
    let group: string[] = [];
    let groupBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (group.length > 0 && groupBytes + bytes > this.uncompressedBudget) {
        records.push(...this.compressGroup(group));
        group = [];
        groupBytes = 0;
      }
      group.push(line);
      groupBytes += bytes;
    }
    if (group.length > 0) records.push(...this.compressGroup(group));
    return records;
  }

  encode(events: readonly StreamEvent[]): EncodedRecord[] {
    return this.encodeLines(events.map(serializeEvent));
  }

  private compressGroup(lines: readonly string[]): EncodedRecord[] {
    const text = lines.join('\n') + '\n';
    const uncompressedBytes = Buffer.byteLength(text);
    const data = gzipSync(text, { level: this.level, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
    if (data.length <= this.maxBytes) {
      this.ratio = this.ratio * 0.7 + (uncompressedBytes / data.length) * 0.3;
      return [{ data, eventCount: lines.length, uncompressedBytes }];
    }
    if (lines.length === 1) {
      throw new CodecError(`one event compresses to ${data.length} bytes, over the ${this.maxBytes}-byte record limit`);
    }
    this.ratio = Math.max(1, (uncompressedBytes / data.length) * 0.9);
    const half = Math.ceil(lines.length / 2);
    return [...this.compressGroup(lines.slice(0, half)), ...this.compressGroup(lines.slice(half))];
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

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Decodes one record's data (already base64-decoded). Never throws: bad input becomes rejects. */
export function decodeRecord(data: Uint8Array): DecodedRecord {
  if (data.length < 2 || data[0] !== GZIP_MAGIC_0 || data[1] !== GZIP_MAGIC_1) {
    return { events: [], rejects: [{ lineNumber: 0, line: Buffer.from(data).toString('base64'), reason: 'record is not gzip data' }] };
  }
  let text: string;
  try {
    text = gunzipSync(data).toString('utf8');
  } catch (error) {
    return {
      events: [],
      rejects: [{ lineNumber: 0, line: Buffer.from(data).toString('base64'), reason: `gzip: ${(error as Error).message}` }],
    };
  }
  return decodeNdjson(text);
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
