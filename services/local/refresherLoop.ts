import type { Refresher } from '../../core/control/createRefresher.ts';
import type { RefreshReport } from '../../core/control/refreshChannels.ts';
import type { Logger } from '../../core/log.ts';

export interface RefresherLoop {
  /** Refreshes now, or joins the refresh already running. */
  refreshNow(): Promise<RefreshReport>;
  readonly lastRefresh: RefreshReport | null;
  /** No further refresh starts; resolves once the running one (if any) has ended. */
  stop(): Promise<void>;
}

/** The scheduled Lambda's job on a timer: one refresh at once, then one per interval, never two at a time. */
export async function startRefresherLoop(refresher: Refresher, intervalMs: number, logger: Logger): Promise<RefresherLoop> {
  let lastRefresh: RefreshReport | null = null;
  let running: Promise<RefreshReport> | null = null;
  let runningSince = 0;
  const refreshNow = async (): Promise<RefreshReport> => {
    if (!running) {
      runningSince = Date.now();
      running = refresher.refresh().finally(() => (running = null));
    }
    lastRefresh = await running;
    return lastRefresh;
  };
  const tick = () => {
    // A refresh that outlasts the interval is not doubled: say so, or a stalled refresh stops the schedule without a word.
    if (running) {
      logger.warn('the last refresh is still running; no new one starts', { runningMs: Date.now() - runningSince, intervalMs });
      return Promise.resolve();
    }
    return refreshNow().catch((error: unknown) => logger.error('refresh failed; next one in one interval', { error }));
  };
  await tick();
  const timer = setInterval(() => void tick(), intervalMs);
  return {
    refreshNow,
    get lastRefresh() {
      return lastRefresh;
    },
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
