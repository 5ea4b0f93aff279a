import { nulRejects } from '../consumer/nulRejects.ts';
import { decodeNdjson, decodeRecord } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import type { DeadLetterEntry } from './types.ts';

/** What one dead-letter item holds: events that can be stored now, and entries that still cannot. */
export interface DeadLetterContents {
  readonly events: StreamEvent[];
  readonly failing: DeadLetterEntry[];
}

/** Lambda's S3 on-failure destination: an invocation record whose `payload` is the batch event. */
interface InvocationRecord {
  readonly payload?: unknown;
  readonly KinesisBatchInfo?: { shardId?: string };
}

interface PayloadRecord {
  readonly eventID?: string;
  readonly kinesis?: { data?: string; sequenceNumber?: string };
}

function decodeWhole(
  base64: string,
  origin: Pick<DeadLetterEntry, 'sequenceNumber' | 'shardId' | 'source'>,
  into: { events: StreamEvent[]; failing: DeadLetterEntry[] },
  time: string,
): void {
  const decoded = decodeRecord(Buffer.from(base64, 'base64'));
  const { kept, rejects } = nulRejects(decoded.events);
  into.events.push(...kept);
  for (const r of [...decoded.rejects, ...rejects])
    into.failing.push({ ...origin, reason: r.reason, line: r.line, lineNumber: r.lineNumber, time });
}

function fromInvocationRecord(doc: InvocationRecord, time: string): DeadLetterContents {
  const out = { events: [] as StreamEvent[], failing: [] as DeadLetterEntry[] };
  const payload = typeof doc.payload === 'string' ? (JSON.parse(doc.payload) as unknown) : doc.payload;
  const records = (payload as { Records?: PayloadRecord[] } | undefined)?.Records ?? [];
  for (const record of records) {
    const shardId = record.eventID?.split(':')[0] ?? doc.KinesisBatchInfo?.shardId ?? null;
    decodeWhole(
      record.kinesis?.data ?? '',
      { sequenceNumber: record.kinesis?.sequenceNumber ?? null, shardId, source: 'lambda-on-failure' },
      out,
      time,
    );
  }
  if (records.length === 0)
    out.failing.push({
      reason: 'on-failure record without a payload (only metadata: read the records from the stream)',
      line: JSON.stringify(doc),
      lineNumber: 0,
      sequenceNumber: null,
      shardId: doc.KinesisBatchInfo?.shardId ?? null,
      source: 'lambda-on-failure',
      time,
    });
  return out;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads one dead-letter item in any of the shapes Poglytics writes or receives:
 * - our NDJSON entries, where a whole record (`lineNumber` 0, base64 `line`: the on-failure
 *   destination and undecodable records) is decoded again, and a per-line entry is read as an event;
 * - Lambda's S3 on-failure invocation record (one JSON document with the batch as `payload`).
 * Whatever still does not decode or validate comes back in `failing`, with today's reason.
 */
export function readDeadLetterItem(text: string, now: () => number = Date.now): DeadLetterContents {
  const time = new Date(now()).toISOString();
  const trimmed = text.trim();
  const whole = trimmed.startsWith('{') ? tryParse(trimmed) : undefined;
  if (whole !== null && typeof whole === 'object' && ('payload' in whole || 'KinesisBatchInfo' in whole))
    return fromInvocationRecord(whole as InvocationRecord, time);
  const out = { events: [] as StreamEvent[], failing: [] as DeadLetterEntry[] };
  for (const line of trimmed.split('\n')) {
    if (line.length === 0) continue;
    let entry: DeadLetterEntry;
    try {
      entry = JSON.parse(line) as DeadLetterEntry;
    } catch (error) {
      out.failing.push({
        reason: `not a dead-letter entry: ${(error as Error).message}`,
        line,
        lineNumber: 0,
        sequenceNumber: null,
        shardId: null,
        source: 'unknown',
        time,
      });
      continue;
    }
    const origin = { sequenceNumber: entry.sequenceNumber ?? null, shardId: entry.shardId ?? null, source: entry.source ?? 'unknown' };
    if (entry.lineNumber === 0 && !entry.line.trimStart().startsWith('{')) {
      decodeWhole(entry.line, origin, out, time);
      continue;
    }
    const decoded = decodeNdjson(entry.line);
    const { kept, rejects } = nulRejects(decoded.events);
    out.events.push(...kept);
    for (const r of [...decoded.rejects, ...rejects])
      out.failing.push({ ...origin, reason: r.reason, line: entry.line, lineNumber: entry.lineNumber, time });
  }
  return out;
}
