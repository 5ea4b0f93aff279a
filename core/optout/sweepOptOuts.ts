import { readInt, type Env } from '../config.ts';
import type { DeadLetterStore } from '../deadletter/deadLetterStore.ts';
import type { DocumentStore } from '../control/documentStores.ts';
import type { Logger } from '../log.ts';
import type { OptOutSelector, Sink } from '../sinks/types.ts';
import { deadLetterWithoutOptedOut } from './deadLetterWithoutOptedOut.ts';
import type { OptOutAuditLog } from './optOutAudit.ts';
import { optOutMatcher, selectorOf } from './optOutMatcher.ts';
import type { OptOutEntry, OptOuts } from './optOuts.ts';

/** OPTOUT_DELETE_MINUTES: everything stored of an opt-out is gone within this (default 60). */
export const DEFAULT_OPTOUT_DELETE_MINUTES = 60;

/**
 * How often the upkeep sweeps to keep OPTOUT_DELETE_MINUTES: four sweeps fit in the deadline (one
 * may fail, one may run before the consumers' caches saw the opt-out), at most `ceilingMs` apart.
 */
export function sweepIntervalMs(env: Env, ceilingMs: number): number {
  const minutes = readInt(env, 'OPTOUT_DELETE_MINUTES', DEFAULT_OPTOUT_DELETE_MINUTES, { min: 1, max: 10_080 });
  return Math.min(ceilingMs, (minutes * 60_000) / 4);
}

export interface SweepDeps {
  readonly store: DocumentStore<OptOuts>;
  readonly sink: Pick<Sink, 'deleteOptedOut' | 'name'>;
  /** The dead letters to sweep: the folder or bucket, and its `redriven/` part (stored copies kept there). */
  readonly deadLetters?: readonly DeadLetterStore[];
  /**
   * How long after an opt-out a consumer may still store its events (the consumers' list cache,
   * OptOutGate): an entry is swept until one sweep ran after this window, then it is settled.
   */
  readonly settleMs: number;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Where settled deletions are recorded (who, when, how many). */
  readonly audit?: OptOutAuditLog;
}

export interface SweepResult {
  /** Entries swept this time (not yet settled before). */
  readonly swept: number;
  readonly deletedEvents: number;
  readonly deletedDeadLetters: number;
}

/**
 * Rewrites every dead-letter item without what names someone (deadLetterWithoutOptedOut.ts: whole
 * on-failure records decoded and re-encoded, per-line entries left out), deleting an item left
 * empty; returns how many entries and events went.
 */
async function sweepDeadLetters(stores: readonly DeadLetterStore[], who: OptOutSelector): Promise<number> {
  const matcher = optOutMatcher(who);
  let removed = 0;
  for (const store of stores)
    for await (const key of store.list()) {
      const rewritten = deadLetterWithoutOptedOut(await store.read(key), matcher);
      if (rewritten === undefined) continue;
      removed += rewritten.removed;
      if (rewritten.text === null) await store.remove(key);
      else await store.replace(key, rewritten.text);
    }
  return removed;
}

/**
 * Deletes what the opt-out list names from the sink and the dead letters (issue 18), one entry at
 * a time so each gets its exact counts. Each entry is swept until a sweep has run `settleMs`
 * after it took effect (by then no consumer stores its events any more), then marked settled and
 * written to the audit log (who, when, how many; never the content; kept when the account opts
 * back in). Settled entries cost nothing on later sweeps.
 */
export async function sweepOptOuts(deps: SweepDeps): Promise<SweepResult> {
  const now = (deps.now ?? Date.now)();
  const list = await deps.store.load();
  const pending = (entries: Readonly<Record<string, OptOutEntry>>) => Object.entries(entries).filter(([, e]) => e.settledAt === undefined);
  const entries = [
    ...pending(list.users).map(([key, e]) => ({ subject: 'user' as const, key, entry: e })),
    ...pending(list.channels).map(([key, e]) => ({ subject: 'channel' as const, key, entry: e })),
  ];
  if (entries.length === 0) return { swept: 0, deletedEvents: 0, deletedDeadLetters: 0 };
  if (!deps.sink.deleteOptedOut) throw new Error(`the ${deps.sink.name} sink cannot delete yet`);
  const counts = new Map<string, { at: number; events: number; deadLetters: number }>();
  for (const { subject, key, entry } of entries) {
    const who = subject === 'user' ? selectorOf([[key, entry]], []) : selectorOf([], [[key, entry]]);
    const events = await deps.sink.deleteOptedOut(who);
    const deadLetters = deps.deadLetters ? await sweepDeadLetters(deps.deadLetters, who) : 0;
    counts.set(`${subject}:${key}`, { at: entry.at, events, deadLetters });
  }
  const settling = entries.filter(({ entry }) => now - entry.at >= deps.settleMs);
  // The audit first: a crash between the two sweeps the entry again and records it again, never not at all.
  await deps.audit?.append(
    settling.map(({ subject, key, entry }) => {
      const swept = counts.get(`${subject}:${key}`)!;
      return {
        at: now,
        subject,
        key,
        login: entry.login,
        by: entry.by,
        optedOutAt: entry.at,
        sink: deps.sink.name,
        deletedEvents: (entry.deleted ?? 0) + swept.events,
        deletedDeadLetters: (entry.deletedDeadLetters ?? 0) + swept.deadLetters,
      };
    }),
  );
  const settledKeys = new Set(settling.map(({ subject, key }) => `${subject}:${key}`));
  await deps.store.update((o) => {
    const mark = (subject: 'user' | 'channel', current: Readonly<Record<string, OptOutEntry>>) =>
      Object.fromEntries(
        Object.entries(current).map(([key, e]) => {
          const swept = counts.get(`${subject}:${key}`);
          // Only the entries swept now, and only while they are the same opt-out (not one undone and redone since).
          if (swept === undefined || swept.at !== e.at || e.settledAt !== undefined) return [key, e];
          return [
            key,
            {
              ...e,
              deleted: (e.deleted ?? 0) + swept.events,
              deletedDeadLetters: (e.deletedDeadLetters ?? 0) + swept.deadLetters,
              ...(settledKeys.has(`${subject}:${key}`) ? { settledAt: now } : {}),
            },
          ];
        }),
      );
    return { ...o, users: mark('user', o.users), channels: mark('channel', o.channels) };
  });
  let deletedEvents = 0;
  let deletedDeadLetters = 0;
  for (const c of counts.values()) {
    deletedEvents += c.events;
    deletedDeadLetters += c.deadLetters;
  }
  deps.log?.info('opt-out sweep', {
    entries: entries.length,
    settled: settling.length,
    deletedEvents,
    deletedDeadLetters,
    sink: deps.sink.name,
  });
  return { swept: entries.length, deletedEvents, deletedDeadLetters };
}
