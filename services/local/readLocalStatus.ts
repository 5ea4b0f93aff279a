import type { RefreshReport } from '../../core/control/refreshChannels.ts';
import type { PipelineMetrics } from '../../core/metrics.ts';
import { scrapeMetrics } from './scrapeMetrics.ts';
import type { Supervisor } from './supervisor.ts';

export interface LocalStatus {
  readonly assigned: number;
  readonly shards: number;
  readonly desired: number;
  readonly running: number;
  readonly joined: number;
  readonly received: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLetters: number;
  /** Largest capture gap any ingester measured after taking over a dead one's slot (per replica), null before any. */
  readonly captureGapMaxS: number | null;
  readonly lagP50Ms: number | null;
  readonly lastRefresh: RefreshReport | null;
}

/**
 * The status line's figures: the ingesters' own /metrics (scraped), this process's consumer
 * counters and latency histogram, and the last refresh. The largest capture gap is kept across
 * reads: a worker that measured one may itself die later.
 */
export function createStatusReader(
  metrics: PipelineMetrics,
  supervisor: Supervisor | null,
  lastRefresh: () => RefreshReport | null,
): () => Promise<LocalStatus> {
  let captureGapMaxS: number | null = null;
  const counterValue = async (name: string): Promise<number> => {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    return (metric?.values ?? [])
      .filter((v) => !('metricName' in v) || !String(v.metricName).endsWith('_bucket'))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return async () => {
    const workers = supervisor
      ? await Promise.all(
          supervisor.running.map((w) =>
            scrapeMetrics(w.metricsPort, [
              'twitch_scraper_joined_channels_total',
              'twitch_scraper_messages_total',
              'poglytics_capture_gap_max_seconds',
            ]),
          ),
        )
      : [];
    for (const w of workers) {
      const gap = w.poglytics_capture_gap_max_seconds;
      if (gap !== undefined && gap > 0) captureGapMaxS = Math.max(captureGapMaxS ?? 0, gap);
    }
    const latency = await metrics.endToEndLatency.get();
    const count = latency.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const buckets = latency.values.filter((v) => v.metricName?.endsWith('_bucket'));
    const p50 = count > 0 ? buckets.find((b) => b.value >= count / 2)?.labels.le : undefined;
    const refresh = lastRefresh();
    return {
      assigned: refresh?.assigned ?? 0,
      shards: refresh?.shards ?? 0,
      desired: supervisor?.desiredCount ?? 0,
      running: supervisor?.running.length ?? 0,
      joined: workers.reduce((s, w) => s + (w.twitch_scraper_joined_channels_total ?? 0), 0),
      received: workers.reduce((s, w) => s + (w.twitch_scraper_messages_total ?? 0), 0),
      stored: await counterValue('poglytics_sink_events_written_total'),
      duplicates: await counterValue('poglytics_sink_duplicates_total'),
      deadLetters: await counterValue('poglytics_dead_letters_total'),
      captureGapMaxS,
      lagP50Ms: p50 === undefined ? null : p50 === '+Inf' ? Infinity : Number(p50) * 1000,
      lastRefresh: refresh,
    };
  };
}
