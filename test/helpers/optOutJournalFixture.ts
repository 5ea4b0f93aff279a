import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { writeCompactChatEvent } from '../../core/events/compactChatEvent.ts';
import { decodeRecord, RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { decompressRecord } from '../../core/events/recordCompression.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { readFrames, SEGMENT_PATTERN, type JournalRecord } from '../../core/kinesis/journalFrames.ts';
import { setEntry, NO_OPT_OUTS, type OptOuts } from '../../core/optout/optOuts.ts';

/** The one who leaves, and the rest of the chat (ids that never contain each other). */
export const LEAVER = { id: '7311000001', login: 'leaves_now' };
const T0 = 1_764_000_000_000;

/** A chat line as Twitch sends it. */
export function privmsg(n: number, user: { id: string; login: string }, channel = { id: '7300000001', login: 'somechan' }): string {
  return (
    `@badge-info=;badges=;color=#FF0000;display-name=${user.login};emotes=;id=00000000-0000-4000-8000-${String(n).padStart(12, '0')};` +
    `mod=0;room-id=${channel.id};subscriber=0;tmi-sent-ts=${T0 + n};turbo=0;user-id=${user.id};user-type= ` +
    `:${user.login}!${user.login}@${user.login}.tmi.twitch.tv PRIVMSG #${channel.login} :message number ${n}`
  );
}

/** A timeout of the leaver by a moderator: an event about them. */
export function timeoutOf(n: number, target: { id: string; login: string }): string {
  return `@ban-duration=600;room-id=7300000001;target-user-id=${target.id};tmi-sent-ts=${T0 + n} :tmi.twitch.tv CLEARCHAT #somechan :${target.login}`;
}

export function event(raw: string, n: number): ChatEvent {
  const result = normalizeLine(raw, T0 + n);
  assert.equal(result.type, 'event', raw);
  return result.event;
}

/**
 * `count` events as the ingester captures them (compact lines), every `every`-th by the leaver and
 * one in fifty a timeout of them; other users are `user-<n>`.
 */
export function chat(count: number, every = 7): ChatEvent[] {
  return Array.from({ length: count }, (_, n) => {
    if (n % 50 === 49) return event(timeoutOf(n, LEAVER), n);
    const user = n % every === 0 ? LEAVER : { id: `72${String(n).padStart(8, '0')}`, login: `user${n}` };
    return event(privmsg(n, user), n);
  });
}

/** Records of about `perRecord` events each, compact lines, as the producer seals them. */
export function records(events: readonly ChatEvent[], perRecord = 25): JournalRecord[] {
  const encoder = new RecordEncoder();
  const out: JournalRecord[] = [];
  for (let i = 0; i < events.length; i += perRecord) {
    for (const e of events.slice(i, i + perRecord)) encoder.appendUtf8(writeCompactChatEvent(e, Buffer.from(e.raw)));
    out.push(...encoder.flush().map((r) => ({ data: r.data, eventCount: r.eventCount })));
  }
  return out;
}

export const leaverOptedOut = (): OptOuts => setEntry(NO_OPT_OUTS, 'users', LEAVER.id, { login: LEAVER.login, at: T0, by: 'chat' });

export const touchesLeaver = (e: ChatEvent) => e.user_id === LEAVER.id || e.target_user_id === LEAVER.id;

/**
 * What the journal directory's segment files hold, read straight from the files (not through the
 * journal): every frame decompressed to its text, and the events decoded from it.
 */
export function journalFiles(dir: string): { texts: string[]; events: ChatEvent[]; files: string[] } {
  const files = readdirSync(dir).sort();
  const texts: string[] = [];
  const events: ChatEvent[] = [];
  for (const name of files.filter((n) => SEGMENT_PATTERN.test(n)))
    for (const frame of readFrames(readFileSync(join(dir, name)), 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      const text = decompressRecord(frame.data);
      assert.equal(typeof text, 'object', 'every frame decompresses');
      texts.push(text.toString());
      const decoded = decodeRecord(frame.data);
      assert.equal(decoded.events.length, frame.eventCount, 'the frame header counts its events');
      events.push(...(decoded.events as ChatEvent[]));
    }
  return { texts, events, files };
}

/**
 * Asserts that two lists hold the same event ids, each as often: says what is missing and what is
 * extra (a few of each), never a diff of hundreds of ids (slow to compute, useless to read).
 */
export function assertSameIds(actual: readonly { event_id: string }[], expected: readonly { event_id: string }[], message?: string): void {
  const count = (events: readonly { event_id: string }[]) => {
    const out = new Map<string, number>();
    for (const e of events) out.set(e.event_id, (out.get(e.event_id) ?? 0) + 1);
    return out;
  };
  const [have, want] = [count(actual), count(expected)];
  const missing = [...want].filter(([id, n]) => (have.get(id) ?? 0) < n).map(([id]) => id);
  const extra = [...have].filter(([id, n]) => (want.get(id) ?? 0) < n).map(([id]) => id);
  assert.deepEqual(
    { missing: missing.length, extra: extra.length, someMissing: missing.slice(0, 3), someExtra: extra.slice(0, 3) },
    { missing: 0, extra: 0, someMissing: [], someExtra: [] },
    message,
  );
}
