import type { ChatEvent } from '../core/events/chatEvent.ts';
import { makeChatEvents } from '../test/helpers/chatEvents.ts';

/** What the sinks' read benches (sqliteReads, postgresReads, clickhouseReads) share: the same data, timed the same way. */
export const DAY = 86_400_000;
export const MONTH = 30 * DAY;
/** The busy channel-day (issue 16: 100,000 events), inside the span of the bench's other events. */
export const BUSY_DAY = Date.UTC(2024, 0, 25);
export const BUSY_CHANNEL = 'channel_0';
const BUSY_DAY_EVENTS = 100_000;

/** 100,000 events of BUSY_CHANNEL on BUSY_DAY, added to the bench's events. */
export function busyChannelDay(): ChatEvent[] {
  // The factory puts a few notices in channel `*`: drawn for one channel, kept only for it.
  return makeChatEvents(BUSY_DAY_EVENTS + 2000, { seed: 1616, channels: 1, startMs: BUSY_DAY, spanMs: DAY - 1000, hostileShare: 0.01 })
    .filter((e) => e.channel === BUSY_CHANNEL)
    .slice(0, BUSY_DAY_EVENTS);
}

/** The user with the most events, and the month from their first one. */
export function busiestUserMonth(events: readonly ChatEvent[]): { user: string; from: number; to: number } {
  const counts = new Map<string, number>();
  for (const e of events) if (e.user_login !== null) counts.set(e.user_login, (counts.get(e.user_login) ?? 0) + 1);
  const user = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const from = Math.min(...events.filter((e) => e.user_login === user).map((e) => e.sent_at));
  return { user, from, to: from + MONTH };
}

/** Best of `rounds` (after one warm-up): the shared machine only adds noise upwards. */
export async function bestMs(rounds: number, run: () => unknown): Promise<number> {
  let best = Infinity;
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    await run();
    if (round > 0) best = Math.min(best, performance.now() - started);
  }
  return best;
}
