import type { DocumentStore } from '../control/documentStores.ts';
import { isStreamSnapshot, type StreamEvent } from '../events/streamEvent.ts';
import type { Logger } from '../log.ts';
import { listSelector, optOutMatcher } from './optOutMatcher.ts';
import { chatCommand, redeemCode, type OptOuts, type RedeemOutcome } from './optOuts.ts';

export interface GateResult {
  readonly kept: StreamEvent[];
  /** Events left out because they are by, about or in an opted-out user or channel. */
  readonly dropped: number;
  /** What each `!optout` / `!optin` command in the batch did. */
  readonly redeemed: readonly RedeemOutcome[];
}

/**
 * The consumer's opt-out step, before the sink write: first the batch's `!optout CODE` /
 * `!optin CODE` commands are redeemed (so an opt-out covers the rest of its own batch, the
 * command included), then every event by, about or in an opted-out user or channel is left out.
 * The list is cached for `cacheMs` (other consumers' opt-outs reach this one within that; the
 * deletion sweep removes what slipped through meanwhile). A list that cannot be read fails the
 * batch, which is retried: storing without the list could keep an opted-out user's chat.
 */
export class OptOutGate {
  private cached: { readonly at: number; readonly optOuts: OptOuts } | undefined;

  constructor(
    private readonly store: DocumentStore<OptOuts>,
    private readonly options: { readonly cacheMs?: number; readonly now?: () => number; readonly logger?: Logger } = {},
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  async current(): Promise<OptOuts> {
    const now = this.now;
    if (this.cached === undefined || now - this.cached.at >= (this.options.cacheMs ?? 5000))
      this.cached = { at: now, optOuts: await this.store.load() };
    return this.cached.optOuts;
  }

  async apply(events: readonly StreamEvent[]): Promise<GateResult> {
    const redeemed: RedeemOutcome[] = [];
    for (const e of events) {
      if (isStreamSnapshot(e) || chatCommand(e) === null) continue;
      let outcome: RedeemOutcome | undefined;
      const optOuts = await this.store.update((o) => {
        const result = redeemCode(o, e, this.now);
        outcome = result?.outcome;
        return result?.optOuts ?? o;
      });
      this.cached = { at: this.now, optOuts };
      if (outcome !== undefined) {
        redeemed.push(outcome);
        // Ids and the outcome only: never the chat text.
        this.options.logger?.info('opt-out command', { outcome, channel_id: e.channel_id, user_id: e.user_id });
      }
    }
    const optOuts = await this.current();
    if (Object.keys(optOuts.users).length === 0 && Object.keys(optOuts.channels).length === 0)
      return { kept: [...events], dropped: 0, redeemed };
    // The rule every other holder of events applies (optOutMatcher): by, about or in someone on the list.
    const matcher = optOutMatcher(listSelector(optOuts));
    const kept = events.filter((e) => !matcher.event(e));
    return { kept, dropped: events.length - kept.length, redeemed };
  }
}
