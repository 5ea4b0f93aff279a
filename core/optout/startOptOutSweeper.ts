import { sweepOptOuts, type SweepDeps, type SweepResult } from './sweepOptOuts.ts';

/**
 * Runs sweepOptOuts every `intervalMs` (one at a time) until stopped. A failed sweep (the
 * database down, the list unreadable) is logged and retried at the next tick; `sweepNow` runs one
 * at once (tests, and after an opt-out when a caller wants it sooner).
 */
export function startOptOutSweeper(deps: SweepDeps & { readonly intervalMs: number }): {
  sweepNow(): Promise<SweepResult>;
  stop(): Promise<void>;
} {
  let running: Promise<SweepResult> | undefined;
  const sweepNow = (): Promise<SweepResult> => {
    running ??= sweepOptOuts(deps).finally(() => (running = undefined));
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
