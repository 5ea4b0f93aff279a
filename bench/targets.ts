/** Targets set by the issues, shown beside each figure. `max` means lower is better. */
export interface Target {
  readonly min?: number;
  readonly max?: number;
  readonly source: string;
}

export const TARGETS: Record<string, Target> = {
  'ingest.ratio': { min: 0.6, source: 'issue 3' },
  'ingest.rss_mb_per_2000_channels': { max: 25, source: 'issue 3' },
  'join.budget_utilization': { min: 0.95, source: 'issue 3' },
  'sim.messages_per_s': { min: 50_000, source: 'issue 2' },
  'sink.clickhouse.ratio': { min: 10, source: 'issue 5' },
  'sink.postgres.ratio': { min: 10, source: 'issue 5' },
  'sink.sqlite.ratio': { min: 10, source: 'issue 5' },
  'storage.clickhouse.ratio': { max: 0.5, source: 'issue 5' },
  'e2e.latency_p99_ms': { max: 2000, source: 'issue 6' },
  'refresher.rebalance_ms_100k': { max: 1000, source: 'issue 4' },
  'faults.lost_events': { max: 0, source: 'issue 13' },
  'faults.max_gap_s': { max: 5, source: 'issue 13' },
  'kinesis.bytes_per_event': { max: 130, source: 'issue 16' },
  'storage.snapshot_rows_per_channel_day': { max: 30, source: 'issue 16' },
  'storage.sqlite.bytes_per_event': { max: 400, source: 'issue 16' },
  'storage.clickhouse.bytes_per_event': { max: 60, source: 'issue 16' },
  'storage.raw_residual_share': { max: 0.01, source: 'issue 16' },
  'storage.roundtrip_residual_share': { max: 0.01, source: 'issue 16' },
  'storage.sqlite.roundtrip_mismatches': { max: 0, source: 'issue 16' },
  'storage.postgres.roundtrip_mismatches': { max: 0, source: 'issue 16' },
  'storage.clickhouse.roundtrip_mismatches': { max: 0, source: 'issue 16' },
  'storage.postgres.bytes_per_event': { max: 450, source: 'issue 16' },
  'api.viewer_scroll_fps': { min: 50, source: 'issue 17' },
  'scale.captured_share': { min: 1, source: 'issue 19' },
  'scale.cold_start_minutes': { max: 20, source: 'issue 19' },
};

export function meetsTarget(key: string, value: number): boolean | undefined {
  const target = TARGETS[key];
  if (!target) return undefined;
  if (target.min !== undefined && value < target.min) return false;
  if (target.max !== undefined && value > target.max) return false;
  return true;
}

export function describeTarget(key: string): string {
  const target = TARGETS[key];
  if (!target) return '';
  return target.min !== undefined ? `≥ ${target.min}` : `≤ ${target.max}`;
}
