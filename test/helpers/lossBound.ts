import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';

/** What a crash cost, against the simulator's ground truth, and whether every loss is inside the stated window. */
export interface LossReport {
  /** Ground-truth events sent before the crash that never reached the destination. */
  readonly lost: number;
  /** Of those, events sent before the window opened: must be 0. */
  readonly lostOutsideWindow: number;
  /** Events sent inside the window (the most that may be lost). */
  readonly sentInWindow: number;
  readonly windowStartsAt: number;
  readonly windowMs: number;
  readonly examples: GroundTruthRecord[];
}

/**
 * Losses of a crash at `crashAt` whose guarantee is "nothing sent before `windowStartsAt` is
 * lost": `missing` are the ground-truth records absent from the destination (missingFrom). The
 * bench's `faults.lost_events` is `lost`.
 */
export function lossBound(
  truth: readonly GroundTruthRecord[],
  missing: readonly GroundTruthRecord[],
  crashAt: number,
  windowStartsAt: number,
): LossReport {
  const beforeCrash = (r: GroundTruthRecord) => r.sentAt <= crashAt;
  const lostRecords = missing.filter(beforeCrash);
  const outside = lostRecords.filter((r) => r.sentAt < windowStartsAt);
  return {
    lost: lostRecords.length,
    lostOutsideWindow: outside.length,
    sentInWindow: truth.filter((r) => beforeCrash(r) && r.sentAt >= windowStartsAt).length,
    windowStartsAt,
    windowMs: crashAt - windowStartsAt,
    examples: outside.slice(0, 3),
  };
}

export const describeLoss = (what: string, report: LossReport) =>
  `${what}: lost ${report.lost} events, ${report.lostOutsideWindow} of them sent before the window; window ${report.windowMs} ms before the crash held ${report.sentInWindow} events`;
