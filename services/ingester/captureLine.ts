import { EventIdResolver, type HoldJournal } from '../../core/irc/eventIdResolver.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../../core/irc/normalizeLine.ts';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import type { DeadLetterJournal } from './deadLetterJournal.ts';
import type { HeldSlot } from './heldJournal.ts';
import { SlidingRate } from './slidingRate.ts';

export interface LineCaptureOptions {
  /**
   * An event, with the UTF-8 bytes of its line when the caller had them. Usually called during
   * the capture call of its own line; an id-less line without tmi-sent-ts comes later (see
   * EventIdResolver), from a later line's call, the hold timer or drain().
   */
  readonly onEvent: (event: ChatEvent, lineUtf8: Uint8Array | undefined) => void;
  /**
   * How long an id-less line may wait for its channel's next timestamped line before it takes the
   * fallback id (default 1000 ms), and the width of the window that fallback hashes (`{window}`,
   * the same on every replica). The ingester passes 120 s with replicas, else KINESIS_SPILL_AFTER_MS:
   * a held line is in memory, so holding it no longer than the producer may keep a record keeps a
   * crash's loss window.
   */
  readonly maxHoldMs?: number;
  /**
   * Replicas: a line held past maxHoldMs waits this much longer for its channel's next timestamped
   * line, and one whose next line came within this of maxHoldMs carries the other anchor's id too
   * (EventIdResolverOptions.boundMarginMs). Default 0.
   */
  readonly boundMarginMs?: number;
  /**
   * Replicas: a line let go before its anchor could come (stopReading, drain, releaseHeldNow) is an
   * orphan, matched by content in the sinks (EventIdResolverOptions.orphans). Default false.
   */
  readonly orphans?: boolean;
  /** Asked every tick: true releases every held line at once (the ingester: while the stream fails). */
  readonly releaseHeldNow?: () => boolean;
  /** Where held lines are kept while they wait, so a crash does not lose them (services/ingester/heldJournal.ts). */
  readonly holdJournal?: HoldJournal;
  readonly deadLetter?: DeadLetterJournal;
  readonly metrics?: IngesterMetrics;
  readonly logger?: Logger;
}

/** What a connection hands its lines to. */
export interface Capture {
  /** `lineUtf8`, when given, is exactly the UTF-8 that `line` was decoded from. */
  (line: string, receivedAt: number, connection: number, lineUtf8?: Uint8Array): NormalizeResult;
  /** A line whose bytes are not UTF-8: rejected with the offset, counted, kept with its exact bytes. */
  rejectBytes(bytes: Uint8Array, receivedAt: number, connection: number): void;
  /**
   * The caller stopped reading these channels (its socket dropped, it PARTed, it stopped): what
   * is held there goes on now, with the `{orphan}` id (EventIdResolver.releaseChannel).
   */
  stopReading(channels: Iterable<string>): void;
}

export interface LineCapture extends Capture {
  /** Pushes the per-event tallies into the Prometheus metrics (call every second and before a scrape). */
  publish(): void;
  readonly rate: SlidingRate;
  readonly totals: { events: number; rejects: number };
  /** Events read but not yet handed to onEvent (waiting for their channel's next timestamped line). */
  heldCount(): number;
  /**
   * Hands every held event to onEvent now (fallback ids) and stops the hold timer: call once the
   * connections have stopped reading and before the producer closes, so a shutdown loses none.
   * A line captured after it is handed on at once.
   */
  drain(): void;
  /**
   * The capture one slot's connections read into (SLOTS_PER_TASK): the same capture, but a line it
   * holds is journaled under that slot (`readingSlot`), so a replay after a kill asks that slot's
   * siblings, not those of whichever slot the task happened to serve last.
   */
  forSlot(slot: HeldSlot): Capture;
  /** The slot of the line being captured right now (during a `forSlot` capture's call), else null. */
  readonly readingSlot: HeldSlot | null;
}

/** The default of LineCaptureOptions.maxHoldMs. */
export const DEFAULT_MAX_HOLD_MS = 1000;

/** A rejection reason as a bounded metric label: the text before any ':' with digits folded. */
export const rejectLabel = (reason: string) => reason.split(':')[0]!.replace(/\d+/g, 'N').slice(0, 60);

/**
 * Every raw IRC line goes through core/irc's normalizeLine: events are handed on, rejected lines
 * are counted and kept in the dead-letter journal, protocol lines are returned for routing.
 * Per-event metric updates are tallied in plain counters and published in bulk, which keeps
 * prom-client off the per-line hot path. Chat text is only ever logged at debug.
 * One capture is one reader: its EventIdResolver (one per ingester process) gives id-less lines
 * (ROOMSTATE, NOTICE) the same `h:` ids that every other replica joined to the channel computes,
 * by holding them until their channel's next timestamped line (at most maxHoldMs, checked by an
 * unref'd timer; then the maxHoldMs-wide window of its received_at stands in for that line). A held event keeps a copy of its line's bytes: the caller's view is of a frame
 * that is reused. Ordinary lines pay one Map lookup for it and allocate nothing.
 */
export function createLineCapture(options: LineCaptureOptions): LineCapture {
  const rate = new SlidingRate(10);
  const totals = { events: 0, rejects: 0 };
  const byKind = new Map<string, number>();
  const byConnection = new Map<number, number>();
  let unpublished = 0;
  const lags: number[] = [];
  const maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  const boundMarginMs = options.boundMarginMs ?? 0;
  const ids = new EventIdResolver<Uint8Array | undefined>({
    emit: options.onEvent,
    retain: (bytes) => (bytes === undefined ? undefined : Buffer.from(bytes)),
    clock: Date.now,
    fallbackWindowMs: maxHoldMs,
    boundMarginMs,
    orphans: options.orphans ?? false,
    ...(options.holdJournal ? { journal: options.holdJournal } : {}),
  });
  // Reading: held events wait for their channel (at most maxHoldMs); drained: none waits.
  let phase: { kind: 'reading'; timer: NodeJS.Timeout } | { kind: 'drained' } = {
    kind: 'reading',
    timer: setInterval(
      () => {
        if (ids.held === 0) return;
        // While the stream fails, whatever the producer holds goes to the journal within a tick: a
        // held line would be the one thing a crash then loses, so it leaves now (fallback id).
        if (options.releaseHeldNow?.()) ids.releaseAll();
        else ids.releaseOlderThan(Date.now() - maxHoldMs - boundMarginMs);
      },
      Math.max(10, Math.min(100, Math.floor(maxHoldMs / 5))),
    ).unref(),
  };

  const read = (line: string, receivedAt: number, connection: number, lineUtf8?: Uint8Array): NormalizeResult => {
    const result = normalizeLine(line, receivedAt);
    if (result.type === 'event') {
      const { event } = result;
      ids.read(event, result.message, lineUtf8);
      if (phase.kind === 'drained' && ids.held > 0) ids.releaseAll();
      totals.events++;
      unpublished++;
      byKind.set(event.kind, (byKind.get(event.kind) ?? 0) + 1);
      byConnection.set(connection, (byConnection.get(connection) ?? 0) + 1);
      if (lags.length < 4096) lags.push(receivedAt - event.sent_at);
    } else if (result.type === 'rejected') reject(result.reason, line, receivedAt, connection);
    return result;
  };

  const reject = (reason: string, raw: string, receivedAt: number, connection: number, rawBase64?: string) => {
    totals.rejects++;
    options.metrics?.parseRejects.inc({ reason: rejectLabel(reason) });
    options.metrics?.deadLetters.inc({ source: 'irc' });
    options.deadLetter?.write({ receivedAt, reason, raw, connection, ...(rawBase64 === undefined ? {} : { rawBase64 }) });
    options.logger?.debug('IRC line rejected', { reason, connection, raw });
  };

  const stopReading = (channels: Iterable<string>) => {
    for (const channel of channels) ids.releaseChannel(channel);
  };

  const rejectBytes = (bytes: Uint8Array, receivedAt: number, connection: number) => {
    const result = normalizeLineBytes(bytes, receivedAt);
    const reason = result.type === 'rejected' ? result.reason : 'invalid UTF-8';
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    reject(reason, buffer.toString('utf8'), receivedAt, connection, buffer.toString('base64'));
  };

  const publish = () => {
    const m = options.metrics;
    rate.add(unpublished);
    if (m) {
      m.messagesTotal.inc(unpublished);
      for (const [kind, n] of byKind) m.eventsByKind.inc({ kind }, n);
      for (const [connection, n] of byConnection) m.messagesPerConnection.inc({ connection: String(connection) }, n);
      for (const lag of lags) m.eventLag.observe(Math.max(0, lag) / 1000);
      m.messagesPerSecond.set(rate.perSecond());
    }
    unpublished = 0;
    byKind.clear();
    byConnection.clear();
    lags.length = 0;
  };
  const drain = () => {
    if (phase.kind === 'reading') clearInterval(phase.timer);
    phase = { kind: 'drained' };
    ids.releaseAll();
  };
  // A hold is journaled synchronously inside ids.read, so the slot set around one call is the reader's.
  let readingSlot: HeldSlot | null = null;
  const forSlot = (slot: HeldSlot): Capture =>
    Object.assign(
      (line: string, receivedAt: number, connection: number, lineUtf8?: Uint8Array): NormalizeResult => {
        const outer = readingSlot;
        readingSlot = slot;
        try {
          return read(line, receivedAt, connection, lineUtf8);
        } finally {
          readingSlot = outer;
        }
      },
      { rejectBytes, stopReading },
    );
  const capture = Object.assign(read, { rejectBytes, stopReading, publish, drain, forSlot, rate, totals, heldCount: () => ids.held });
  // A getter (Object.assign would copy the value once).
  return Object.defineProperty(capture, 'readingSlot', { get: () => readingSlot, enumerable: true }) as LineCapture;
}
