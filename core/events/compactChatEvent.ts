import { normalizeLine } from '../irc/normalizeLine.ts';
import type { ChatEvent } from './chatEvent.ts';
import { copyIdsOf, setCopyIds } from './copyIds.ts';

/**
 * A chat event on the stream (record layout 2, magic `PGB2`) is its raw line and only what the
 * normalizer cannot derive from it: `[received_at,"raw"]`, or `[received_at,"raw","h:…"]` for an
 * event whose id is a content hash (id-less lines: their `h:` id depends on the reader's other
 * lines, see EventIdResolver), `[received_at,"raw","h:…",["h:…"]]` when it also names the ids a
 * replica's copy may have (copyIds.ts). Everything else (tags, typed fields, sent_at, the `id`-tag
 * event_id) is rebuilt by the consumer running the same normalizer on the raw line, so the line
 * no longer travels twice (raw and tags) plus its typed fields: on the simulator's traffic a
 * record holds 126 instead of 239 bytes per event at brotli quality 1, 118 at quality 2 (the default). A line
 * starting with `{` is still a full StreamEvent (snapshots, events not straight from the
 * normalizer); the first byte tells the two apart.
 * The writer is only for events fresh from normalizeLine (+ EventIdResolver): an event built or
 * changed elsewhere would not be rebuilt from its line.
 */
export type CompactChatEvent =
  | [receivedAt: number, raw: string]
  | [receivedAt: number, raw: string, eventId: string]
  | [receivedAt: number, raw: string, eventId: string, copyIds: string[]];

/** A character JSON must escape: `"`, `\` and the C0 controls. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const QUOTE = 0x22;

let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * The compact line of an event fresh from the normalizer, as UTF-8: byte for byte
 * JSON.stringify(compactChatEvent(e)), given the bytes its raw line was decoded from (exact
 * UTF-8, without CR LF). A raw line with nothing to escape is copied from those bytes; any other
 * goes through JSON.stringify. The result is a view of a buffer that the next call overwrites.
 */
export function writeCompactChatEvent(e: ChatEvent, rawUtf8: Uint8Array): Uint8Array {
  const raw = e.raw;
  const hashed = e.event_id.startsWith('h:');
  const last = rawUtf8[rawUtf8.length - 1];
  if (last !== 0x0a && last !== 0x0d && rawUtf8.length >= raw.length && !NEEDS_ESCAPE.test(raw) && copyIdsOf(e).length === 0) {
    // `[` + 16 digits + `,"` + raw + `","` + id + `"]`; an h: id is 34 ASCII characters.
    const needed = rawUtf8.length + (hashed ? e.event_id.length : 0) + 32;
    if (needed > scratch.length) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
    let o = scratch.write(`[${e.received_at},"`, 0, 'latin1');
    scratch.set(rawUtf8, o);
    o += rawUtf8.length;
    scratch[o++] = QUOTE;
    if (hashed) o += scratch.write(`,"${e.event_id}"`, o, 'latin1');
    scratch[o++] = 0x5d;
    return scratch.subarray(0, o);
  }
  const json = JSON.stringify(compactChatEvent(e));
  if (json.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(json.length * 3, scratch.length * 2));
  return scratch.subarray(0, scratch.write(json, 0, 'utf8'));
}

export function compactChatEvent(e: ChatEvent): CompactChatEvent {
  if (!e.event_id.startsWith('h:')) return [e.received_at, e.raw];
  const copies = copyIdsOf(e);
  return copies.length === 0 ? [e.received_at, e.raw, e.event_id] : [e.received_at, e.raw, e.event_id, [...copies]];
}

/** The ChatEvent a compact line stands for, or why it cannot be rebuilt. Never throws. */
export function expandCompactChatEvent(value: unknown): ChatEvent | string {
  if (!Array.isArray(value) || value.length < 2 || value.length > 4)
    return 'a compact event is [received_at, raw], [received_at, raw, h:id] or [received_at, raw, h:id, [h:id, …]]';
  const [receivedAt, raw, eventId, copyIds] = value as unknown[];
  if (typeof receivedAt !== 'number' || !Number.isSafeInteger(receivedAt) || receivedAt < 0)
    return 'received_at is not a non-negative integer';
  if (typeof raw !== 'string') return 'raw is not a string';
  if (eventId !== undefined && (typeof eventId !== 'string' || !eventId.startsWith('h:'))) return 'the carried event_id is not an h: id';
  if (copyIds !== undefined && (!Array.isArray(copyIds) || !copyIds.every((id) => typeof id === 'string' && id.startsWith('h:'))))
    return 'the ids of copies are not h: ids';
  const result = normalizeLine(raw, receivedAt);
  if (result.type === 'ignored') return `raw is not an event (${result.command})`;
  if (result.type === 'rejected') return `raw is rejected: ${result.reason}`;
  const event = result.event;
  if (eventId !== undefined) event.event_id = eventId;
  if (copyIds !== undefined) setCopyIds(event, copyIds as string[]);
  return event;
}
