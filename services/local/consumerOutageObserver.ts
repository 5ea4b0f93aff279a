import type { StorageOutage } from '../../core/consumer/classifyOutage.ts';
import type { Logger } from '../../core/log.ts';
import type { PipelineMetrics } from '../../core/metrics.ts';
import type { OutageObserver } from './kinesisEventSourceMapping.ts';

/** How often a continuing pause is logged again (the first retry and every change are logged at once). */
const REPEAT_LOG_MS = 30_000;

type PauseState =
  { readonly phase: 'running' } | { readonly phase: 'paused'; readonly key: string; readonly outage: StorageOutage; loggedAt: number };

/**
 * Makes a consumer pause visible: the `poglytics_consumer_paused{store,reason}` gauge is 1 while
 * some shard waits, every retry is counted, and the log says why (disk full, permission, …), when
 * it started and when writing resumed. Shared by every shard's loop.
 */
export function consumerOutageObserver(metrics: PipelineMetrics, logger: Logger, now: () => number = Date.now): OutageObserver {
  let state: PauseState = { phase: 'running' };
  return {
    paused(outage, retry, delayMs) {
      const key = `${outage.store}/${outage.reason}`;
      metrics.consumerStorageRetries.inc({ store: outage.store, reason: outage.reason });
      if (state.phase === 'paused' && state.key === key) {
        if (now() - state.loggedAt < REPEAT_LOG_MS) return;
        state.loggedAt = now();
      } else {
        if (state.phase === 'paused') metrics.consumerPaused.set({ store: state.outage.store, reason: state.outage.reason }, 0);
        metrics.consumerPaused.set({ store: outage.store, reason: outage.reason }, 1);
        state = { phase: 'paused', key, outage, loggedAt: now() };
      }
      logger.warn(
        `consumer paused: the ${outage.store} cannot be written (${outage.reason}); nothing is acknowledged, retrying the same records`,
        {
          store: outage.store,
          reason: outage.reason,
          error: outage.message,
          retry,
          nextRetryMs: delayMs,
        },
      );
    },
    resumed(pausedMs) {
      if (state.phase !== 'paused') return;
      metrics.consumerPaused.set({ store: state.outage.store, reason: state.outage.reason }, 0);
      logger.warn('consumer resumed: storage accepts writes again', { store: state.outage.store, reason: state.outage.reason, pausedMs });
      state = { phase: 'running' };
    },
  };
}
