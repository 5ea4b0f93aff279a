import type { KinesisStreamRecord } from 'aws-lambda';
import type { DeadLetterWriter } from '../../core/deadletter/types.ts';
import { decodeRecord } from '../../core/events/kinesisRecordCodec.ts';
import type { Logger } from '../../core/log.ts';
import type { OnFailure } from './kinesisEventSourceMapping.ts';

/** Events (or, when it cannot be decoded, lines) a record carries: dead letters are counted in events. */
export function eventsInRecord(record: KinesisStreamRecord): number {
  const decoded = decodeRecord(Buffer.from(record.kinesis.data, 'base64'));
  return Math.max(1, decoded.events.length + decoded.rejects.length);
}

/**
 * The local on-failure destination: the full records (base64), as Lambda's S3 destination keeps
 * them, one file per record under `on-failure/<shard>/<sequence number>`, so `poglytics redrive`
 * can store them later. A write that fails throws (DeadLetterWriteError): the event source
 * mapping then waits and retries instead of skipping the records.
 */
export function onFailureToDeadLetter(
  deadLetter: DeadLetterWriter,
  options: { logger: Logger; counted: (events: number) => void; now?: () => number },
): OnFailure {
  return async (records, reason) => {
    const time = new Date((options.now ?? Date.now)()).toISOString();
    let events = 0;
    for (const r of records) {
      const shardId = r.eventID.split(':')[0] ?? null;
      await deadLetter.write(`on-failure/${r.eventID.replace(':', '/')}`, [
        {
          reason,
          line: r.kinesis.data,
          lineNumber: 0,
          sequenceNumber: r.kinesis.sequenceNumber,
          shardId,
          source: 'kinesis-on-failure',
          time,
        },
      ]);
      events += eventsInRecord(r);
    }
    options.counted(events);
    options.logger.error('records sent to the on-failure destination (poglytics redrive stores them once the cause is fixed)', {
      records: records.length,
      events,
      reason,
    });
  };
}
