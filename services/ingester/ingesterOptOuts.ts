import type { DocumentStore } from '../../core/control/documentStores.ts';
import { isStreamSnapshot, type StreamEvent } from '../../core/events/streamEvent.ts';
import type { Logger } from '../../core/log.ts';
import { listSelector, optOutMatcher, type OptOutMatcher } from '../../core/optout/optOutMatcher.ts';
import { chatCommand, NO_OPT_OUTS, type OptOuts } from '../../core/optout/optOuts.ts';

/**
 * What an ingester leaves out: every event by, about or in an opted-out user or channel, except
 * the `!optin CODE` / `!optout CODE` commands themselves, which the consumer must see to redeem
 * (an opted-out user opts back in through one; the consumer stores it only if it opts them in).
 */
export function ingesterMatcher(o: OptOuts): OptOutMatcher {
  const list = optOutMatcher(listSelector(o));
  return {
    empty: list.empty,
    event: (e) => list.event(e) && (isStreamSnapshot(e) || chatCommand(e) === null),
    line: (text) => list.line(text) && !/ :!opt(?:out|in)\s/i.test(text),
    mayName: (text) => list.mayName(text),
  };
}

export interface IngesterOptOutsOptions {
  readonly store: Pick<DocumentStore<OptOuts>, 'load'>;
  /** How often the list is read again (OPTOUT_POLL_MS). */
  readonly pollMs: number;
  /**
   * Deletes what the ingester already holds of whom the list names (its journals, its memory);
   * called after the filter changed, again at the next poll when it threw.
   */
  readonly purge: (who: OptOutMatcher) => Promise<void>;
  readonly onDropped?: (events: number) => void;
  readonly logger?: Logger;
}

/** A comparable form of whom a list names (codes and counts do not matter here). */
const namedKey = (o: OptOuts) =>
  JSON.stringify([
    Object.keys(o.users).sort(),
    Object.entries(o.channels)
      .map(([k, e]) => [k, e.login])
      .sort(),
  ]);

/**
 * The ingester's copy of the opt-out list (issue 18), read every `pollMs`: events of whom it
 * names are dropped before they reach the producer or a journal, and when it names someone new
 * what the ingester still holds of them (spill journal, hold journal, IRC dead letter, records in
 * memory) is rewritten without them. A list that cannot be read keeps the last one (capture goes
 * on; the consumer's gate and sweep still apply); a purge that fails is tried again at the next poll.
 */
export class IngesterOptOuts {
  private matcher: OptOutMatcher = ingesterMatcher(NO_OPT_OUTS);
  private purgedKey = namedKey(NO_OPT_OUTS);
  private running: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: IngesterOptOutsOptions) {
    this.timer = setInterval(() => void this.refresh(), options.pollMs);
    this.timer.unref();
  }

  get current(): OptOutMatcher {
    return this.matcher;
  }

  /** True (and counted) when the event must not be kept. */
  drops(event: StreamEvent): boolean {
    if (this.matcher.empty || !this.matcher.event(event)) return false;
    this.options.onDropped?.(1);
    return true;
  }

  /** Reads the list now and purges when it names someone new; one at a time, never throws. */
  refresh(): Promise<void> {
    return this.run(() => undefined);
  }

  /**
   * Starts a refresh and resolves once its list is read and the filter set (not waiting for the
   * purge, which waits for a moment between two put calls): what is read from now on is filtered.
   */
  filterNow(): Promise<void> {
    return new Promise((resolve) => void this.run(resolve).then(resolve));
  }

  private run(filtered: () => void): Promise<void> {
    this.running ??= this.readAndPurge(filtered).finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async readAndPurge(filtered: () => void): Promise<void> {
    let list: OptOuts;
    try {
      list = await this.options.store.load();
    } catch (error) {
      this.options.logger?.warn('cannot read the opt-out list; keeping the last one', { error: error as Error });
      return;
    }
    const key = namedKey(list);
    if (key === this.purgedKey) return;
    // The filter first: nothing new of them is held from here on, then what was held before goes.
    this.matcher = ingesterMatcher(list);
    filtered();
    if (this.matcher.empty) {
      this.purgedKey = key;
      return;
    }
    try {
      await this.options.purge(this.matcher);
      this.purgedKey = key;
    } catch (error) {
      this.options.logger?.error('opt-out purge of the journals failed; retrying at the next poll', { error: error as Error });
    }
  }
}
