/**
 * End-to-end latency through the local pipeline (issue 6): simulator → ingester processes →
 * Kinesis emulator → poller → consumer → SQLite, at a fixed event rate. Latency is measured the
 * way a user sees it: from the event's sent_at (tmi-sent-ts) to the moment its row is visible to a
 * reader polling the database every 25 ms.
 */
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPipelineHarness, waitFor } from '../test/helpers/localPipelineRun.ts';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const rate = 2000;
  const measureMs = options.quick ? 15_000 : 60_000;
  const harness = await startPipelineHarness({
    channels: 200,
    rate,
    seed: 3,
    groundTruth: 'counts',
    // AWS's own defaults for the knobs that set latency: a 250 ms producer flush, a 500 ms batching window.
    esm: { maximumBatchingWindowMs: 500, batchSize: 100 },
    ingesterEnv: { KINESIS_FLUSH_MS: '250' },
  });
  try {
    await waitFor(async () => (await harness.pipeline.status()).joined >= 200, 'channels joined', 60_000);
    const reader = new Database(harness.dbPath, { readonly: true });
    const newRows = reader.prepare('SELECT rowid AS id, sent_at FROM chat_event_rows WHERE rowid > ? ORDER BY rowid');
    let lastRowId = 0;
    const latencies: number[] = [];
    harness.sim.startTraffic();
    await sleep(3000); // warm-up: JIT, connection pools, first batches
    for (const row of newRows.all(lastRowId) as { id: number; sent_at: number }[]) lastRowId = row.id;
    const started = Date.now();
    while (Date.now() - started < measureMs) {
      await sleep(25);
      const now = Date.now();
      for (const row of newRows.all(lastRowId) as { id: number; sent_at: number }[]) {
        lastRowId = row.id;
        latencies.push(now - row.sent_at);
      }
    }
    harness.sim.stopTraffic();
    reader.close();
    latencies.sort((a, b) => a - b);
    return {
      'e2e.latency_p50_ms': percentile(latencies, 50),
      'e2e.latency_p99_ms': percentile(latencies, 99),
      'e2e.events_per_s': latencies.length / (measureMs / 1000),
      'e2e.offered_events_per_s': rate,
    };
  } finally {
    await harness.cleanup();
  }
}
