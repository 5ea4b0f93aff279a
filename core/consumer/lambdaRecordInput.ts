import type { KinesisStreamRecord } from 'aws-lambda';
import type { KinesisRecordInput } from './types.ts';

/**
 * A Kinesis record as Lambda's event source mapping delivers it (and as the local poller imitates
 * it) → the consumer's input. `eventID` is `shardId-000000000000:<sequence number>`; `data`
 * arrives base64-encoded.
 */
export function lambdaRecordInput(record: KinesisStreamRecord): KinesisRecordInput {
  const colon = record.eventID.indexOf(':');
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    shardId: colon > 0 ? record.eventID.slice(0, colon) : null,
    data: Buffer.from(record.kinesis.data, 'base64'),
  };
}
