import type { RejectedLine } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';

/** Postgres cannot store NUL, and the contract rejects lines containing one (ARCHITECTURE.md). */
export function nulRejects(events: StreamEvent[]): { kept: StreamEvent[]; rejects: RejectedLine[] } {
  const kept: StreamEvent[] = [];
  const rejects: RejectedLine[] = [];
  for (const event of events) {
    if (event.kind !== 'stream_snapshot' && event.raw.includes('\u0000')) {
      rejects.push({ lineNumber: 0, line: JSON.stringify(event), reason: 'event contains a NUL character' });
    } else kept.push(event);
  }
  return { kept, rejects };
}
