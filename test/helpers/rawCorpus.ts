import { readFileSync } from 'node:fs';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { compactChatEvent } from '../../core/events/compactChatEvent.ts';
import { RecordEncoder, decodeRecord, serializeEvent } from '../../core/events/kinesisRecordCodec.ts';
import { isStreamSnapshot } from '../../core/events/streamEvent.ts';
import { nulRejects } from '../../core/consumer/nulRejects.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../../services/twitch-sim/types.ts';
import { makeChatEvents } from './chatEvents.ts';
import { lineMutator } from './lineMutator.ts';

/** received_at of the corpus's normalized lines. */
export const RECEIVED_AT = 1_700_000_000_000;

/** The real-line corpus (test/fixtures/irc/README.md). */
export const REAL_LINES: readonly string[] = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

/** `draws` draws of the simulator's Twitch-like traffic (every kind, shared chat, gift waves). */
export function simulatorLines(seed: number, draws: number, channels = 200): string[] {
  const catalog = createChannelCatalog({ seed, channels, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now: RECEIVED_AT });
  const generator = createTrafficGenerator({ seed, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.2 });
  const out: GeneratedLine[] = [];
  for (let i = 0; i < draws; i++) generator.generate(catalog.sample((i * 0.6180339887) % 1), RECEIVED_AT + i, out);
  return out.map((l) => l.line);
}

/** The events the normalizer makes of `lines` (rejected and ignored lines left out). */
export function normalizedEvents(lines: readonly string[]): ChatEvent[] {
  return lines.flatMap((line) => {
    const result = normalizeLine(line, RECEIVED_AT);
    return result.type === 'event' ? [result.event] : [];
  });
}

/** The real lines' events, each event_id once (the corpus repeats a few id-less lines; a database holds each once). */
export function realEventsOnce(): ChatEvent[] {
  return normalizedEvents(REAL_LINES).filter((e, i, all) => all.findIndex((other) => other.event_id === e.event_id) === i);
}

/**
 * The raw-line corpus every sink must give back byte for byte (issue 16): the real lines,
 * `mutations` events from random mutations of them, `simulated` draws of simulator traffic, and events not
 * made by the normalizer (the bench factory with hostile text). Each event_id once.
 */
export function rawCorpus(options: { mutations: number; simulated: number; factory: number }): {
  normalized: ChatEvent[];
  built: ChatEvent[];
} {
  const next = lineMutator(REAL_LINES, 13);
  const seen = new Set<string>();
  const once = (e: ChatEvent) => !seen.has(e.event_id) && seen.add(e.event_id);
  const normalized = normalizedEvents([...REAL_LINES, ...simulatorLines(5, options.simulated)]).filter(once);
  // `mutations` mutated lines that are still events (about a quarter of them are: the strict
  // parser rejects the rest). A mutation mostly keeps its line's `id` tag: it gets an id of its
  // own, so that the sink (one row per event_id) keeps it beside the original.
  let mutations = 0;
  for (let i = 0; mutations < options.mutations && i < options.mutations * 20; i++) {
    const line = next();
    const [event] = normalizedEvents([line]);
    if (event === undefined) continue;
    const unique = seen.has(event.event_id) ? normalizedEvents([line.replace(`id=${event.event_id}`, `id=${mutationId(i)}`)])[0] : event;
    if (unique !== undefined && once(unique)) {
      normalized.push(unique);
      mutations++;
    }
  }
  const built = makeChatEvents(options.factory, { seed: 3, hostileShare: 0.2 })
    .map((e) => ({ ...e, event_id: `factory-${e.event_id}` }))
    .filter(once);
  return { normalized, built };
}

/** A UUID of its own for mutation `i`. */
function mutationId(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `0000a11e-0000-4000-8000-${hex}`;
}

/**
 * What a consumer gets after the stream: normalizer events as the ingester writes them (the
 * compact `[received_at, raw]` form), other events as full JSON, in brotli records, decoded and
 * passed through the consumer's NUL check (Postgres cannot store NUL: those are dead-lettered).
 */
export function throughStream(normalized: readonly ChatEvent[], built: readonly ChatEvent[]): { events: ChatEvent[]; rejected: number } {
  const encoder = new RecordEncoder();
  const records = encoder.encodeLines([...normalized.map((e) => JSON.stringify(compactChatEvent(e))), ...built.map(serializeEvent)]);
  const decoded = records.flatMap((r) => {
    const { events, rejects } = decodeRecord(r.data);
    if (rejects.length > 0) throw new Error(`the stream rejected ${rejects.length} lines: ${rejects[0]!.reason}`);
    return events;
  });
  const { kept, rejects } = nulRejects(decoded);
  return { events: kept.filter((e): e is ChatEvent => !isStreamSnapshot(e)), rejected: rejects.length };
}
