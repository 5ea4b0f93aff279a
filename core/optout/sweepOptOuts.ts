import { readInt, type Env } from '../config.ts';
import type { DeadLetterStore } from '../deadletter/deadLetterStore.ts';
import type { DocumentStore } from '../control/documentStores.ts';
import type { Logger } from '../log.ts';
import type { OptOutSelector, Sink } from '../sinks/types.ts';
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
}

export interface SweepResult {
  /** Entries swept this time (not yet settled before). */
  readonly swept: number;
  readonly deletedEvents: number;
  readonly deletedDeadLetters: number;
}

const selectorOf = (users: [string, OptOutEntry][], channels: [string, OptOutEntry][]): OptOutSelector => {
  const ids = (entries: [string, OptOutEntry][]) => entries.map(([key]) => key).filter((key) => !key.startsWith('login:'));
  const loginKeys = (entries: [string, OptOutEntry][]) =>
    entries.filter(([key]) => key.startsWith('login:')).map(([key]) => key.slice('login:'.length));
  return {
    userIds: ids(users),
    userLogins: loginKeys(users),
    channelIds: ids(channels),
    // A channel is also named by its login (events before the room id was known, the refresher).
    channelLogins: [...new Set([...loginKeys(channels), ...channels.flatMap(([, e]) => (e.login === null ? [] : [e.login]))])],
  };
};

/** Whether a dead-letter line (an event as JSON, or a raw IRC line) is by, about or in someone named. */
function mentions(line: string, who: OptOutSelector): boolean {
  const ids = [...who.userIds, ...who.channelIds];
  for (const id of ids)
    if (line.includes(`user-id=${id}`) || line.includes(`room-id=${id}`) || line.includes(`"${id}"`) || line.includes(`=${id};`))
      return true;
  for (const login of [...who.userLogins, ...who.channelLogins])
    if (line.includes(`:${login}!`) || line.includes(`#${login} `) || line.endsWith(`#${login}`) || line.includes(`"${login}"`))
      return true;
  return false;
}

/** Rewrites every dead-letter item without the entries that mention someone opted out; returns how many went. */
async function sweepDeadLetters(stores: readonly DeadLetterStore[], who: OptOutSelector): Promise<number> {
  let removed = 0;
  for (const store of stores)
    for await (const key of store.list()) {
      const lines = (await store.read(key)).split('\n').filter((l) => l !== '');
      const kept = lines.filter((l) => {
        let entryLine = l;
        try {
          const line = (JSON.parse(l) as { line?: unknown }).line;
          if (typeof line === 'string') entryLine = line;
        } catch {
          // not JSON: the line itself
        }
        return !mentions(entryLine, who);
      });
      if (kept.length === lines.length) continue;
      removed += lines.length - kept.length;
      await store.replace(key, kept.length === 0 ? '' : `${kept.join('\n')}\n`);
    }
  return removed;
}

/**
 * Deletes what the opt-out list names from the sink and the dead letters (issue 18). Each entry
 * is swept until a sweep has run `settleMs` after it took effect (by then no consumer stores its
 * events any more), then marked settled with the counts: the audit record (who, when, how many;
 * never the content), kept in the list document. Settled entries cost nothing on later sweeps.
 */
export async function sweepOptOuts(deps: SweepDeps): Promise<SweepResult> {
  const now = (deps.now ?? Date.now)();
  const list = await deps.store.load();
  const pending = (entries: Readonly<Record<string, OptOutEntry>>) => Object.entries(entries).filter(([, e]) => e.settledAt === undefined);
  const users = pending(list.users);
  const channels = pending(list.channels);
  if (users.length + channels.length === 0) return { swept: 0, deletedEvents: 0, deletedDeadLetters: 0 };
  if (!deps.sink.deleteOptedOut) throw new Error(`the ${deps.sink.name} sink cannot delete yet`);
  const who = selectorOf(users, channels);
  const deletedEvents = await deps.sink.deleteOptedOut(who);
  const deletedDeadLetters = deps.deadLetters ? await sweepDeadLetters(deps.deadLetters, who) : 0;
  const settled = (entries: [string, OptOutEntry][]) => new Set(entries.filter(([, e]) => now - e.at >= deps.settleMs).map(([key]) => key));
  const settledUsers = settled(users);
  const settledChannels = settled(channels);
  const share = users.length + channels.length;
  await deps.store.update((o) => {
    const mark = (entries: Readonly<Record<string, OptOutEntry>>, keys: Set<string>) =>
      Object.fromEntries(
        Object.entries(entries).map(([key, e]) => [
          key,
          {
            ...e,
            deleted: (e.deleted ?? 0) + Math.round(deletedEvents / share),
            ...(keys.has(key) && e.settledAt === undefined ? { settledAt: now } : {}),
          },
        ]),
      );
    const sweptKeys = new Set([...users, ...channels].map(([key]) => key));
    const only = (entries: Readonly<Record<string, OptOutEntry>>) =>
      Object.fromEntries(Object.entries(entries).filter(([key]) => sweptKeys.has(key)));
    return {
      ...o,
      users: { ...o.users, ...mark(only(o.users), settledUsers) },
      channels: { ...o.channels, ...mark(only(o.channels), settledChannels) },
    };
  });
  deps.log?.info('opt-out sweep', { entries: share, deletedEvents, deletedDeadLetters, sink: deps.sink.name });
  return { swept: share, deletedEvents, deletedDeadLetters };
}
