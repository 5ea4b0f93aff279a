import { retentionCutoff, type Retention } from '../sinks/retention.ts';
import type { Sink } from '../sinks/types.ts';
import { sweepOptOuts, type SweepDeps, type SweepResult } from './sweepOptOuts.ts';

/**
 * The storage upkeep the consumer runs every `intervalMs` (one at a time) until stopped: the
 * opt-out sweep, then retention (RETENTION_DAYS) when set. A failed run (the database down, the
 * list unreadable) is logged and retried at the next tick; `sweepNow` runs one at once.
 */
export function startOptOutSweeper(
  deps: SweepDeps & {
    readonly intervalMs: number;
    readonly retention?: Retention;
    readonly sink: Pick<Sink, 'deleteOptedOut' | 'applyRetention' | 'name'>;
  },
): {
  sweepNow(): Promise<SweepResult>;
  stop(): Promise<void>;
} {
  let running: Promise<SweepResult> | undefined;
  const sweepNow = (): Promise<SweepResult> => {
    running ??= (async () => {
      const result = await sweepOptOuts(deps);
      const cutoff = deps.retention ? retentionCutoff(deps.retention, (deps.now ?? Date.now)()) : null;
      if (cutoff !== null && deps.sink.applyRetention) {
        const dropped = await deps.sink.applyRetention(cutoff);
        if (dropped > 0) deps.log?.info('retention', { dropped, sink: deps.sink.name, ...cutoff });
      }
      return result;
    })().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    sweepNow().catch((error: unknown) => deps.log?.error('opt-out sweep failed; retrying at the next tick', { error }));
  }, deps.intervalMs);
  timer.unref();
  return {
    sweepNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
