import { decodeNdjson } from '../events/kinesisRecordCodec.ts';
import { compressRecord, decompressRecord, RECORD_COMPRESSIONS } from '../events/recordCompression.ts';
import type { OptOutMatcher } from './optOutMatcher.ts';

export interface RecordRewrite {
  /** The record without the lines that name someone; null when no line is left. */
  readonly data: Buffer | null;
  readonly eventCount: number;
  /** Lines left out. */
  readonly removed: number;
}

/**
 * One Kinesis record (compressed NDJSON, kinesisRecordCodec.ts) without the lines of opted-out
 * users and channels: decompressed, filtered line by line, compressed again (brotli, which every
 * reader decodes), or `undefined` when nothing in it names anyone (the record is kept as it is,
 * byte for byte). Each kept line is copied exactly, compact or full. A line that does not decode
 * as an event is judged by its text (an IRC line names its user-id and room-id); a record that
 * cannot be decompressed is kept: nothing in it can be read, by us or by the consumer.
 */
export function recordWithoutOptedOut(data: Uint8Array, who: OptOutMatcher): RecordRewrite | undefined {
  if (who.empty) return undefined;
  const ndjson = decompressRecord(data);
  if (typeof ndjson === 'string') return undefined;
  const text = ndjson.toString('utf8');
  if (!who.mayName(text)) return undefined;
  const lines = text.split('\n');
  const kept: string[] = [];
  let removed = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    if (!who.mayName(line)) {
      kept.push(line);
      continue;
    }
    const { events } = decodeNdjson(line);
    const names = events.length > 0 ? events.some((e) => who.event(e)) : who.line(line);
    if (names) removed++;
    else kept.push(line);
  }
  if (removed === 0) return undefined;
  if (kept.length === 0) return { data: null, eventCount: 0, removed };
  const compression = { codec: 'brotli' as const, level: RECORD_COMPRESSIONS.brotli.fallback };
  return { data: compressRecord(Buffer.from(`${kept.join('\n')}\n`), compression), eventCount: kept.length, removed };
}
