import type { RecordRewriter } from '../kinesis/diskJournal.ts';
import type { OptOutMatcher } from './optOutMatcher.ts';
import { recordWithoutOptedOut } from './recordWithoutOptedOut.ts';

/** A journal rewrite (DiskJournal.rewrite, KinesisProducer.rewriteRecords) that leaves out whom `who` names. */
export function optOutRewriter(who: OptOutMatcher): RecordRewriter {
  return (record) => {
    const rewritten = recordWithoutOptedOut(record.data, who);
    if (rewritten === undefined) return record;
    return rewritten.data === null ? null : { data: rewritten.data, eventCount: rewritten.eventCount };
  };
}
