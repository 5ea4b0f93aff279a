import type { DeadLetterEntry } from '../deadletter/types.ts';
import { decodeRecord } from '../events/kinesisRecordCodec.ts';
import type { StreamEvent } from '../events/streamEvent.ts';
import { nulRejects } from './nulRejects.ts';
import { classifyOutage, OutageStore, type StorageOutage } from './classifyOutage.ts';
import type { BatchOutcome, ConsumerDeps, KinesisRecordInput } from './types.ts';

/**
 * The consumer's per-batch logic, shared by the Lambda handler and the local Kinesis poller:
 * decode every record, send lines that are not valid events to the dead letter, store all
 * valid events with ONE bulk sink write, report metrics, and say which records to retry.
 *
 * Failure semantics follow Lambda's Kinesis checkpointing (ReportBatchItemFailures): Lambda
 * resumes from the LOWEST reported sequence number, so the result must never claim success
 * for a record whose events are not stored. When the bulk write fails, every record that
 * carried events is reported (the lowest of them is where the retry starts); when a dead
 * letter cannot be written, that record is reported. Records reported needlessly are harmless:
 * the sinks deduplicate on event_id and dead-letter keys are per (shard, sequence number).
 *
 * `outage` says when a failure is the store's, not the data's (disk full, no permission, database
 * unreachable, dead letter unwritable): the caller waits and retries the same records instead of
 * giving up on them. Dead letters are counted (in events: one entry per rejected line) only for
 * records that are acknowledged, i.e. before the first reported one, so a retried batch does not
 * count them twice.
 */
export async function processKinesisBatch(records: readonly KinesisRecordInput[], deps: ConsumerDeps): Promise<BatchOutcome> {
  const now = deps.now ?? Date.now;
  const failed = new Set<string>();
  const withEvents: string[] = [];
  let events: StreamEvent[] = [];
  const deadLetteredBy = new Map<string, number>();
  let outage: StorageOutage | null = null;

  for (const record of records) {
    const decoded = decodeRecord(record.data);
    const { kept, rejects: nul } = nulRejects(decoded.events);
    const rejects = [...decoded.rejects, ...nul];
    if (kept.length > 0) {
      withEvents.push(record.sequenceNumber);
      for (const event of kept) events.push(event);
    }
    if (rejects.length === 0) continue;
    const time = new Date(now()).toISOString();
    const entries: DeadLetterEntry[] = rejects.map((r) => ({
      reason: r.reason,
      line: r.line,
      lineNumber: r.lineNumber,
      sequenceNumber: record.sequenceNumber,
      shardId: record.shardId,
      source: 'kinesis',
      time,
    }));
    try {
      await deps.deadLetter.write(`kinesis/${record.shardId ?? 'unknown-shard'}/${record.sequenceNumber}`, entries);
      deadLetteredBy.set(record.sequenceNumber, entries.length);
    } catch (error) {
      failed.add(record.sequenceNumber);
      outage ??= classifyOutage(OutageStore.DeadLetter, error);
      deps.logger?.error('dead letter write failed', {
        sequenceNumber: record.sequenceNumber,
        destination: deps.deadLetter.destination,
        error,
      });
    }
  }

  let optedOut = 0;
  let optOutCommands: readonly string[] = [];
  let listFailed = false;
  if (events.length > 0 && deps.optOuts) {
    try {
      const gate = await deps.optOuts.apply(events);
      optedOut = gate.dropped;
      optOutCommands = gate.redeemed;
      events = gate.kept;
    } catch (error) {
      listFailed = true;
      for (const sequenceNumber of withEvents) failed.add(sequenceNumber);
      outage ??= classifyOutage(OutageStore.OptOutList, error);
      deps.logger?.debug('opt-out list unreadable; reporting the batch for retry', { error });
    }
  }

  let inserted = 0;
  let duplicates = 0;
  let insertMs = 0;
  const latenciesMs: number[] = [];
  if (events.length > 0 && !listFailed) {
    const started = performance.now();
    try {
      const result = await deps.sink.write(events);
      insertMs = performance.now() - started;
      inserted = result.inserted;
      duplicates = result.duplicates;
      const stored = now();
      for (const event of events) latenciesMs.push(stored - (event.kind === 'stream_snapshot' ? event.captured_at : event.sent_at));
    } catch (error) {
      insertMs = performance.now() - started;
      for (const sequenceNumber of withEvents) failed.add(sequenceNumber);
      const sinkOutage = classifyOutage(OutageStore.Sink, error);
      outage ??= sinkOutage;
      // An outage is logged once per pause by whoever waits it out; a data error every time.
      const detail = { sink: deps.sink.name, events: events.length, records: withEvents.length, error };
      if (sinkOutage) deps.logger?.debug('sink write failed; reporting the batch for retry', detail);
      else deps.logger?.error('sink write failed; reporting the batch for retry', detail);
    }
  }

  // Lambda and the local poller resume from the lowest reported record: what comes after it is redelivered.
  const firstFailed = records.findIndex((r) => failed.has(r.sequenceNumber));
  const acknowledged = firstFailed < 0 ? records : records.slice(0, firstFailed);
  const deadLettered = acknowledged.reduce((sum, r) => sum + (deadLetteredBy.get(r.sequenceNumber) ?? 0), 0);
  const measurements = {
    sink: deps.sink.name,
    records: records.length,
    events: events.length,
    inserted,
    duplicates,
    deadLettered,
    optedOut,
    optOutCommands,
    failedRecords: failed.size,
    insertMs,
    latenciesMs,
  };
  try {
    await deps.metrics?.recordBatch(measurements);
  } catch (error) {
    // Metrics are never a reason to redeliver data.
    deps.logger?.warn('metrics publish failed', { error });
  }
  return {
    ...measurements,
    outage,
    batchItemFailures: records.filter((r) => failed.has(r.sequenceNumber)).map((r) => ({ itemIdentifier: r.sequenceNumber })),
  };
}
