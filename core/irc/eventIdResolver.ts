import type { ChatEvent } from '../events/chatEvent.ts';
import { setCopyIds } from '../events/copyIds.ts';
import { eventId, orphanAnchor, windowAnchor, type EventAnchor } from './eventId.ts';
import type { IrcMessage } from './types.ts';

/** An event held back; `message` is set when its id still has to be computed, null when it only waits for order. */
interface Held<T> {
  readonly event: ChatEvent;
  readonly message: IrcMessage | null;
  readonly payload: T;
  readonly readAt: number;
  readonly seq: number;
  /** The key the hold journal gave it (undefined without a journal). */
  readonly key: number | undefined;
}

/** One channel as this reader knows it. `held[head…]` are the events still waiting, in reading order. */
interface ChannelState<T> {
  lastTs: number | null;
  held: Held<T>[];
  head: number;
}

export interface EventIdResolverOptions<T> {
  /** Receives every event, with the payload it was read with, once its id is final (per channel in reading order). */
  readonly emit: (event: ChatEvent, payload: T) => void;
  /** Called on the payload of an event that is held back: copy here what the caller will reuse (a socket's frame). */
  readonly retain?: (payload: T) => T;
  /** Most events held at once; past it the oldest is resolved with the fallback, so memory stays bounded. */
  readonly maxHeld?: number;
  /** The time releaseOlderThan compares, read only when an event is held (the live capture: Date.now). */
  readonly clock?: () => number;
  /** Told of every event held and of its release, so a held event outlives a crash (services/ingester/heldJournal.ts). */
  readonly journal?: HoldJournal;
  /**
   * Set by a reader that has replicas (the live capture: its hold bound, the age releaseOlderThan
   * is given): a released event hashes `{window}`, the window of this width its received_at falls in,
   * which every replica computes alike, instead of `{prev}`, which depends on what this reader read
   * before. Not wider than the hold, so that two lines in one window always have a timestamped line
   * of their channel between them or none at all (see the class comment).
   */
  readonly fallbackWindowMs?: number;
  /**
   * With fallbackWindowMs (the live capture with replicas): how near the bound (= fallbackWindowMs)
   * the channel's next timestamped line may come and the event still carry, beside its id, the id
   * the other anchor gives it (copyIds.ts): another replica, whose clock and reading differ by less
   * than this, may have read that line on the other side of the bound. The caller then releases by
   * age only past the bound plus this margin (releaseOlderThan), so that a replica on the late side
   * still reads the next line.
   */
  readonly boundMarginMs?: number;
  /**
   * With fallbackWindowMs (the live capture with replicas): an event let go before its anchor
   * could come (see fallback) hashes `{orphan}`, which the sinks match by content with another
   * replica's copy. Without it, `{window}` as when released by age.
   */
  readonly orphans?: boolean;
}

/** Where held events are kept while in memory: `hold` returns a key that `released` gives back. */
export interface HoldJournal {
  /** `prevTs`: the channel's last tmi-sent-ts when read (the `prev` fallback anchor); `anchored`: its id waits for an anchor. */
  hold(event: ChatEvent, prevTs: number | null, anchored: boolean): number;
  /** `eventId`: the id it was released with (its replay, if any, must use the same). */
  released(key: number, eventId: string): void;
}

/** The default bound on held events (they are rare: ROOMSTATE changes and NOTICEs). */
export const DEFAULT_MAX_HELD = 10_000;

/**
 * Gives id-less lines without `tmi-sent-ts` (ROOMSTATE changes, most NOTICEs) their content-derived
 * `h:` id, for one reader of IRC lines (an ingester process, one imported file, one `poglytics
 * parse` run; an instance per reader, never shared). Such an event is held until the *next*
 * timestamped event of its channel is read and then hashes that event's tmi-sent-ts (`{next}`):
 * every replica connected when the line arrived also reads that next line, whatever each read
 * before — a replica restarted a moment ago agrees with one that has read the channel for hours.
 * Held events are emitted just before the event that resolved them, so each channel keeps its
 * reading order (a non-timestamped event that has an id waits behind them for the same reason).
 * Two identical changes separated by any timestamped line get different ids; only identical
 * id-less lines with no timestamped line of their channel between them merge.
 *
 * Nothing waits forever: the caller resolves events held too long (releaseOlderThan: a timer in
 * the live capture; releaseOldest: a bounded output queue; releaseAll: end of input, shutdown),
 * and more than maxHeld at once releases the oldest. A released event hashes a fallback. With
 * fallbackWindowMs (the live capture) it is `{window}`: the start of the fixed window of that
 * width holding its received_at, so two replicas agree whatever each read before — one restarted
 * or joined after the channel's last timestamped line included. They disagree only when their
 * received_at straddle a window boundary (probability ≈ the gap between their clocks over the
 * width: 50 ms / 120 s ≈ 4e-4 per released line; every sink then finds the copy under the
 * neighbouring window's id, core/sinks/untimedCopies.ts) or one reads the next timestamped line
 * just before its bound and the other just after (≤ the same gap over the bound; with
 * boundMarginMs each names the other's id, copyIds.ts, and the sinks find it). The width is at most
 * the bound, so two identical lines released by age in one window never had a timestamped line of
 * their channel between them (it would have resolved the first): they merge, as with `{next}`.
 * Released early — past maxHeld, releaseAll (shutdown, a failing stream), releaseChannel (the
 * reader stopped reading the channel) — an event cannot know what the other replicas anchored it
 * on: with `orphans` it hashes `{orphan}`, its received_at, and the sinks take it for a copy of
 * any untimed line of its channel with the same content read within REPLICA_SKEW_MARGIN_MS.
 * Without it (`parse`, `import`: one reader) it is `{prev}`: the tmi-sent-ts of the last
 * timestamped event of its channel before it, or null, which depends on where the reader started.
 * NOTICEs to `*` (no channel, never a timestamped line) are resolved with `{prev: null}` at once.
 */
export class EventIdResolver<T> {
  private readonly channels = new Map<string, ChannelState<T>>();
  /** Channels holding events: a sweep visits only these. */
  private readonly waiting = new Set<ChannelState<T>>();
  private readonly emit: (event: ChatEvent, payload: T) => void;
  private readonly retain: ((payload: T) => T) | undefined;
  private readonly maxHeld: number;
  private readonly clock: () => number;
  private readonly journal: HoldJournal | undefined;
  private readonly fallbackWindowMs: number | undefined;
  private readonly boundMarginMs: number;
  private readonly orphans: boolean;
  private heldCount = 0;
  private seq = 0;

  constructor(options: EventIdResolverOptions<T>) {
    this.emit = options.emit;
    this.retain = options.retain;
    this.maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
    this.clock = options.clock ?? (() => 0);
    this.journal = options.journal;
    this.fallbackWindowMs = options.fallbackWindowMs;
    this.boundMarginMs = options.boundMarginMs ?? 0;
    this.orphans = options.orphans ?? false;
  }

  /** Events read and not yet emitted. */
  get held(): number {
    return this.heldCount;
  }

  /**
   * Reads one event (call in reading order, with the IrcMessage normalizeLine returned with it).
   * The common case — a timestamped event of a channel holding nothing — costs one Map lookup
   * and no allocation.
   */
  read(event: ChatEvent, message: IrcMessage, payload: T): void {
    const channel = event.channel;
    let state = this.channels.get(channel);
    const sentTs = message.tags['tmi-sent-ts'];
    if (sentTs !== undefined && sentTs !== '') {
      if (state === undefined) this.channels.set(channel, { lastTs: event.sent_at, held: [], head: 0 });
      else {
        if (state.head < state.held.length) this.release(state, state.held.length, event.sent_at);
        state.lastTs = event.sent_at;
      }
      this.emit(event, payload);
      return;
    }
    const id = message.tags['id'];
    const needsAnchor = id === undefined || id === '';
    if (needsAnchor && channel === '*') {
      // normalizeLine already gave it the fallback with no previous line: final.
      this.emit(event, payload);
      return;
    }
    if (state === undefined) {
      state = { lastTs: null, held: [], head: 0 };
      this.channels.set(channel, state);
    } else if (!needsAnchor && state.head === state.held.length) {
      this.emit(event, payload);
      return;
    }
    if (state.head === state.held.length) this.waiting.add(state);
    const kept = this.retain === undefined ? payload : this.retain(payload);
    const key = this.journal?.hold(event, state.lastTs, needsAnchor);
    state.held.push({ event, message: needsAnchor ? message : null, payload: kept, readAt: this.clock(), seq: this.seq++, key });
    this.heldCount++;
    if (this.heldCount > this.maxHeld) this.releaseOldest();
  }

  /** Resolves with the fallback every held event read at or before `cutoff` by the clock (and what waited only behind them). */
  releaseOlderThan(cutoff: number): void {
    for (const state of [...this.waiting]) {
      let end = state.head;
      while (end < state.held.length && state.held[end]!.readAt <= cutoff) end++;
      if (end > state.head) this.release(state, end, 'bound');
    }
  }

  /** Resolves early (see fallback) the event held longest (and what waited only behind it); false when none is held. */
  releaseOldest(): boolean {
    let oldest: ChannelState<T> | undefined;
    for (const state of this.waiting) {
      if (oldest === undefined || state.held[state.head]!.seq < oldest.held[oldest.head]!.seq) oldest = state;
    }
    if (oldest === undefined) return false;
    this.release(oldest, oldest.head + 1, 'early');
    return true;
  }

  /** Resolves every held event early (end of input, shutdown; see fallback). */
  releaseAll(): void {
    for (const state of [...this.waiting]) this.release(state, state.held.length, 'early');
  }

  /**
   * The reader stopped reading `channel` (a dropped connection, a PART): what it holds there will
   * never see the channel's next timestamped line, so it is resolved now, early (see fallback).
   */
  releaseChannel(channel: string): void {
    const state = this.channels.get(channel);
    if (state !== undefined && state.head < state.held.length) this.release(state, state.held.length, 'early');
  }

  /**
   * The id of a held event its channel's next timestamped line (`nextTs`) resolved, `waited` ms
   * after it was read. Before the bound it is `{next}`, past it (only with boundMarginMs) the
   * window another replica's timer gave it; within the margin either side of the bound it also
   * carries the other one (copyIds.ts), so a sink finds a copy whichever side that replica was on.
   */
  private anchorOnNext(event: ChatEvent, message: IrcMessage, nextTs: number, waited: number): void {
    const next = eventId(message, { next: nextTs });
    const bound = this.fallbackWindowMs;
    if (bound === undefined || this.boundMarginMs === 0 || waited < bound - this.boundMarginMs) {
      event.event_id = next;
      return;
    }
    const window = eventId(message, windowAnchor(event.received_at, bound));
    event.event_id = waited < bound ? next : window;
    setCopyIds(event, [waited < bound ? window : next]);
  }

  /**
   * The fallback anchor of a held event (see the class comment): with fallbackWindowMs, `{window}`
   * once it waited out the bound; with `orphans` too, `{orphan}` when let go before (`early`),
   * whatever its reader may have missed since (the sinks match that copy by content,
   * core/sinks/untimedCopies.ts).
   */
  private fallback(state: ChannelState<T>, event: ChatEvent, why: 'bound' | 'early'): EventAnchor {
    if (this.fallbackWindowMs === undefined) return { prev: state.lastTs };
    return why === 'early' && this.orphans ? orphanAnchor(event.received_at) : windowAnchor(event.received_at, this.fallbackWindowMs);
  }

  /**
   * Emits `held[head…end)` anchored on `nextTs` (else the fallback, `bound` or `early`), then what follows them while
   * it only waited for order. The channel's lastTs has not moved since these were read: any
   * timestamped event of the channel would have resolved them, so `{prev: lastTs}` is the anchor
   * as of their reading.
   */
  private release(state: ChannelState<T>, end: number, next: number | 'bound' | 'early'): void {
    const held = state.held;
    const now = typeof next === 'number' && this.boundMarginMs > 0 ? this.clock() : 0;
    let i = state.head;
    while (i < held.length && (i < end || held[i]!.message === null)) {
      const entry = held[i]!;
      if (entry.message !== null) {
        if (typeof next === 'number') this.anchorOnNext(entry.event, entry.message, next, now - entry.readAt);
        else entry.event.event_id = eventId(entry.message, this.fallback(state, entry.event, next));
      }
      i++;
      this.heldCount--;
      this.emit(entry.event, entry.payload);
      if (entry.key !== undefined) this.journal!.released(entry.key, entry.event.event_id);
    }
    if (i === held.length) {
      state.held = [];
      state.head = 0;
      this.waiting.delete(state);
    } else if (i > 1024 && i * 2 > held.length) {
      // A channel that never drains (held events released one by one): drop the released prefix.
      state.held = held.slice(i);
      state.head = 0;
    } else state.head = i;
  }
}
