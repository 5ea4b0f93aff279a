import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric Poglytics exports, created in one place so dashboards, alert rules and
 * their tests can read the full list from a registry. The twitch_scraper_* names are the original
 * Go Poglytics's and must not change: users' dashboards depend on them. Nothing is labelled by
 * channel (unbounded cardinality); connection labels are small integers within one task.
 *
 * Each process registers only the series it moves: an ingester the capture set, the pipeline
 * (refresher + consumer) the consumer set. A series a process never updates would be exported as
 * a constant 0 and summed into the dashboards' totals as if it were a silent ingester.
 */
export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}) {
  const ingester = createIngesterMetrics(registry, options);
  return { ...ingester, ...consumerSeries([registry]) };
}

export interface MetricsOptions {
  readonly defaultMetrics?: boolean;
}

function histogramFactory(registers: Registry[]) {
  return (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
    new Histogram({ name, help, buckets, labelNames, registers });
}

/** Both sides dead-letter: the ingester a line that does not parse, the consumer a record that does not decode. */
function deadLettersCounter(registers: Registry[]) {
  return new Counter({
    name: 'poglytics_dead_letters_total',
    help: 'Events sent to the dead letter (a rejected line, or each event inside a whole record), by source',
    labelNames: ['source'],
    registers,
  });
}

/** Both sides leave opted-out users' and channels' events out: the ingester before its journals, the consumer before the sink. */
function optOutDroppedCounter(registers: Registry[]) {
  return new Counter({
    name: 'poglytics_optout_dropped_events_total',
    help: 'Events not kept because they are by, about or in an opted-out user or channel, by stage (ingester, consumer)',
    labelNames: ['stage'],
    registers,
  });
}

/** What an ingester task exports. */
export function createIngesterMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}) {
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const seconds = histogramFactory(registers);

  return {
    registry,
    deadLetters: deadLettersCounter(registers),
    optOutDropped: optOutDroppedCounter(registers),
    // The original Go Poglytics's metrics.
    messagesTotal: new Counter({ name: 'twitch_scraper_messages_total', help: 'Chat events received from Twitch IRC', registers }),
    messagesPerSecond: new Gauge({
      name: 'twitch_scraper_messages_per_second',
      help: 'Chat events received per second, averaged over the last 10 s',
      registers,
    }),
    messagesPerConnection: new Counter({
      name: 'twitch_scraper_messages_per_connection_total',
      help: 'Chat events received per IRC connection',
      labelNames: ['connection'],
      registers,
    }),
    activeConnections: new Gauge({ name: 'twitch_scraper_active_connections', help: 'IRC connections that are up', registers }),
    joinedChannels: new Gauge({
      name: 'twitch_scraper_joined_channels_total',
      help: 'Channels currently joined (JOIN confirmed by ROOMSTATE)',
      registers,
    }),
    joinAttempts: new Counter({
      name: 'twitch_scraper_channel_join_attempts_total',
      help: 'JOIN attempts by result',
      labelNames: ['result'],
      registers,
    }),

    // Ingester.
    eventsByKind: new Counter({ name: 'poglytics_events_total', help: 'Chat events normalized, by kind', labelNames: ['kind'], registers }),
    parseRejects: new Counter({
      name: 'poglytics_irc_parse_rejects_total',
      help: 'IRC lines rejected by the parser (kept in the dead letter)',
      labelNames: ['reason'],
      registers,
    }),
    reconnects: new Counter({ name: 'poglytics_reconnects_total', help: 'IRC reconnects by cause', labelNames: ['reason'], registers }),
    joinLatency: seconds('poglytics_join_latency_seconds', 'Time from JOIN sent to ROOMSTATE', [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]),
    joinFailures: new Counter({
      name: 'poglytics_join_failures_total',
      help: 'Channels that could not be joined, by reason',
      labelNames: ['reason'],
      registers,
    }),
    assignedChannels: new Gauge({ name: 'poglytics_assigned_channels', help: "Channels in this task's shard assignment", registers }),
    eventLag: seconds(
      'poglytics_event_lag_seconds',
      'received_at minus sent_at of chat events',
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    ),
    kinesisPutLatency: seconds(
      'poglytics_kinesis_put_latency_seconds',
      'PutRecords call duration',
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    ),
    kinesisRecords: new Counter({ name: 'poglytics_kinesis_records_total', help: 'Kinesis records written', registers }),
    kinesisBytes: new Counter({ name: 'poglytics_kinesis_bytes_total', help: 'Compressed bytes written to Kinesis', registers }),
    kinesisEvents: new Counter({ name: 'poglytics_kinesis_events_total', help: 'Events written to Kinesis', registers }),
    kinesisRetries: new Counter({ name: 'poglytics_kinesis_retries_total', help: 'Kinesis record entries retried', registers }),
    kinesisFailures: new Counter({
      name: 'poglytics_kinesis_failures_total',
      help: 'Failed PutRecords entries or calls, by error code',
      labelNames: ['code'],
      registers,
    }),
    kinesisThrottles: new Counter({
      name: 'poglytics_kinesis_throttles_total',
      help: 'Entries throttled by Kinesis (ProvisionedThroughputExceeded)',
      registers,
    }),
    bufferEvents: new Gauge({ name: 'poglytics_buffer_events', help: 'Events buffered in memory awaiting Kinesis', registers }),
    bufferBytes: new Gauge({ name: 'poglytics_buffer_bytes', help: 'Bytes buffered in memory awaiting Kinesis', registers }),
    journalBytes: new Gauge({ name: 'poglytics_journal_bytes', help: 'Bytes in the on-disk spill journal', registers }),
    journalRecords: new Gauge({ name: 'poglytics_journal_records', help: 'Records in the on-disk spill journal', registers }),
    journalWriteErrors: new Counter({
      name: 'poglytics_journal_write_errors_total',
      help: 'Journal appends the disk refused (records stay in memory and are retried), by error code',
      labelNames: ['reason'],
      registers,
    }),
    journalSyncs: new Counter({
      name: 'poglytics_journal_syncs_total',
      help: 'Journal appends written and fdatasynced (one per batch of records)',
      registers,
    }),
    droppedEvents: new Counter({
      name: 'poglytics_dropped_events_total',
      help: 'Events dropped (only when the journal disk is full), by reason',
      labelNames: ['reason'],
      registers,
    }),
    leaseHeld: new Gauge({
      name: 'poglytics_lease_held',
      help: 'Shard leases (slots) this task holds: 1 while it serves its one slot, up to SLOTS_PER_TASK',
      registers,
    }),
    leaseLost: new Counter({ name: 'poglytics_lease_lost_total', help: 'Shard leases lost to expiry or takeover', registers }),
    captureGap: seconds(
      'poglytics_capture_gap_seconds',
      "Per channel, after taking over a slot from a task that died or stopped renewing: from that task's last sign of life to this task's confirmed JOIN (per replica: with CAPTURE_REPLICAS >= 2 the other copy may have covered it)",
      [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120],
    ),
    captureGapMax: new Gauge({
      name: 'poglytics_capture_gap_max_seconds',
      help: 'Largest poglytics_capture_gap_seconds observation of this task',
      registers,
    }),
    leaseErrors: new Counter({
      name: 'poglytics_lease_errors_total',
      help: 'Lease claims that failed with an error (DynamoDB unreachable, throttled)',
      registers,
    }),
    heldReplays: new Counter({
      name: 'poglytics_held_replays_total',
      help: 'Events an earlier process held and never sent, found in the hold journal: sent, witnessed (a sibling replica read them), unreadable',
      labelNames: ['outcome'] as const,
      registers,
    }),
    heldJournalErrors: new Counter({
      name: 'poglytics_held_journal_errors_total',
      help: 'Writes to the hold journal that failed (full or failing disk): those held lines were in memory only',
      registers,
    }),
  };
}

/** What the local pipeline process (refresher + consumer) exports; on AWS these also go to CloudWatch as EMF. */
export function createPipelineMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}) {
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    deadLetters: deadLettersCounter([registry]),
    optOutDropped: optOutDroppedCounter([registry]),
    ...consumerSeries([registry]),
  };
}

function consumerSeries(registers: Registry[]) {
  const seconds = histogramFactory(registers);
  return {
    sinkEventsWritten: new Counter({
      name: 'poglytics_sink_events_written_total',
      help: 'Events newly stored in the sink',
      labelNames: ['sink'],
      registers,
    }),
    sinkDuplicates: new Counter({
      name: 'poglytics_sink_duplicates_total',
      help: 'Events skipped because their event_id was already stored',
      labelNames: ['sink'],
      registers,
    }),
    optOutCommands: new Counter({
      name: 'poglytics_optout_commands_total',
      help: '!optout / !optin chat commands by outcome (opted-out-user, opted-out-channel, opted-in-*, unknown-code, expired-code, used-code, wrong-command)',
      labelNames: ['outcome'],
      registers,
    }),
    sinkInsertSeconds: seconds(
      'poglytics_sink_insert_seconds',
      'Bulk insert duration',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      ['sink'],
    ),
    consumerPaused: new Gauge({
      name: 'poglytics_consumer_paused',
      help: '1 while the consumer waits for a store to accept writes again, by store and reason (disk_full, permission, unreachable, io_error, unavailable)',
      labelNames: ['store', 'reason'],
      registers,
    }),
    consumerStorageRetries: new Counter({
      name: 'poglytics_consumer_storage_retries_total',
      help: 'Batches retried because the sink or the dead letter could not be written, by store and reason',
      labelNames: ['store', 'reason'],
      registers,
    }),
    endToEndLatency: seconds('poglytics_end_to_end_latency_seconds', 'Time from sent_at to stored', [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
export type IngesterMetrics = ReturnType<typeof createIngesterMetrics>;
export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;
