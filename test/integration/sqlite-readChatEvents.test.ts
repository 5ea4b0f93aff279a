import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';
import { compileTemplate } from '../../core/sinks/sqlite/compiledTemplate.ts';
import { readChatEvents } from '../../core/sinks/sqlite/readChatEvents.ts';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { createChannelCatalog } from '../../services/twitch-sim/createChannelCatalog.ts';
import { createTrafficGenerator } from '../../services/twitch-sim/createTrafficGenerator.ts';
import { DEFAULT_MIX } from '../../services/twitch-sim/resolveSimulatorOptions.ts';
import type { GeneratedLine } from '../../services/twitch-sim/types.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { lineMutator } from '../helpers/lineMutator.ts';

const RECEIVED_AT = 1_700_000_000_000;
const EVER = { from: 0, to: Number.MAX_SAFE_INTEGER };
const dir = mkdtempSync(join(tmpdir(), 'poglytics-sqlite-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

/** Tag sections a template cannot turn into tags without parsing (repeated keys, `__proto__`, escapes, empty entries). */
const AWKWARD_LINES = [
  '@b=y;1=x;1a=z;id=a1;room-id=1;tmi-sent-ts=1 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@a=1;b=2;a=3;id=a2;room-id=1;tmi-sent-ts=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@msg-param-b=c;msg-param-1=a;msg-id=sub;id=a3;room-id=1;tmi-sent-ts=3;login=u :tmi.twitch.tv USERNOTICE #c',
  '@msg-param-__proto__=x;msg-param-y=z;msg-id=sub;id=a4;room-id=1;tmi-sent-ts=4 :tmi.twitch.tv USERNOTICE #c',
  '@a"b=1;c=\\s\\:\\\\"é😀;;d;e=;id=a5;room-id=1;tmi-sent-ts=5 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@__proto__=p;x=\\;id=a6;room-id=1;tmi-sent-ts=6 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@display-name=A\\sb;system-msg=x\\sy\\:z;id=a7;room-id=1;tmi-sent-ts=7;msg-id=raid;login=u :tmi.twitch.tv USERNOTICE #c :hi',
];

function eventsOf(lines: readonly string[]): ChatEvent[] {
  return lines.flatMap((line) => {
    const result = normalizeLine(line, RECEIVED_AT);
    return result.type === 'event' ? [result.event] : [];
  });
}

function simulatorLines(seed: number, draws: number): string[] {
  const catalog = createChannelCatalog({ seed, channels: 200, channelNames: [], zipfExponent: 1, maxViewers: 100_000, now: RECEIVED_AT });
  const generator = createTrafficGenerator({ seed, catalog, mix: DEFAULT_MIX, maxGiftWave: 50, sharedChatFraction: 0.2 });
  const out: GeneratedLine[] = [];
  for (let i = 0; i < draws; i++) generator.generate(catalog.sample((i * 0.6180339887) % 1), RECEIVED_AT + i, out);
  return out.map((l) => l.line);
}

/** Events whose tags, params or raw are not their line's, and values the row encoding stores in odd forms. */
function oddEvents(): ChatEvent[] {
  const odd = makeChatEvents(4, { seed: 9 }).map((e, i) => ({
    ...e,
    event_id: `odd-${i}`,
    raw: ['not an irc line', `@x=y :u PRIVMSG #c :${e.text ?? ''}`, '@a=1;a=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :\x1f', e.raw][i]!,
    tags: i === 3 ? e.tags : { changed: String(i) },
    params: { p: 'q' },
    badges: [['a,b', ''], ['[x'], [], ['x']][i]!,
    user_id: ['007', '-1', '12345678901234567890', '123456789012345'][i]!,
  }));
  // A column holding a tag value as the line has it (still escaped): the template takes it as
  // is, and its tag is the unescaped value.
  const escaped = eventsOf(['@display-name=a\\sb\\:c;id=odd-4;room-id=1;tmi-sent-ts=8 :u!u@u.tmi.twitch.tv PRIVMSG #c :t'])[0]!;
  return [...odd, { ...escaped, display_name: 'a\\sb\\:c' }];
}

/** Every corpus the view is checked on, each event_id once (a database holds each once). */
function corpus(): ChatEvent[] {
  const mutations: string[] = [];
  const next = lineMutator(realLines, 13);
  for (let i = 0; i < 10_000; i++) mutations.push(next());
  const all = [
    ...eventsOf(realLines),
    ...eventsOf(AWKWARD_LINES),
    ...eventsOf(mutations),
    ...eventsOf(simulatorLines(5, 20_000)),
    ...makeChatEvents(10_000, { seed: 3, hostileShare: 0.2 }),
    ...oddEvents(),
  ];
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.event_id) && seen.add(e.event_id));
}

describe('readChatEvents: the fast read path of the compact SQLite layout', () => {
  const events = corpus();
  const path = join(dir, 'read.db');
  const written = async () => {
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await sink.migrate();
    for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
    await sink.close();
    return openSqliteDatabase(path, { readonly: true });
  };
  const ready = written();
  after(async () => (await ready).close());

  it('gives back every event of every channel as written: raw byte for byte, every field deeply equal, tags and params in the same key order', async () => {
    // Prepare
    const db = await ready;
    const expected = new Map(events.map((e) => [e.event_id, e]));
    const channels = [...new Set(events.map((e) => e.channel))];
    // Act
    const read = channels.flatMap((channel) => readChatEvents(db, { channel, ...EVER }));
    // Assess
    assert.equal(read.length, events.length);
    for (const e of read) {
      const want = expected.get(e.event_id);
      assert.ok(want, `unexpected ${e.event_id}`);
      assert.equal(e.raw, want.raw, want.raw);
      assert.deepStrictEqual(e, want, want.raw);
      assert.equal(JSON.stringify([e.tags, e.params]), JSON.stringify([want.tags, want.params]), want.raw);
    }
    // Every way a row is stored and read was taken: a line stored whole, tags stored as JSON, and
    // templates whose tags are built from the template as well as ones whose line is parsed.
    const stored = db
      .prepare('SELECT count(residual) AS residual, count(tags_json) AS tags, count(params_json) AS params FROM chat_event_rows')
      .get() as Record<string, number>;
    assert.ok(stored.residual! > 0 && stored.tags! > 0 && stored.params! > 0, JSON.stringify(stored));
    const templates = (db.prepare('SELECT template FROM line_templates').pluck().all() as string[]).map(compileTemplate);
    assert.ok(templates.filter((t) => t.tags === undefined).length > 0);
    assert.ok(templates.filter((t) => t.tags !== undefined).length > templates.length / 2);
    assert.ok(events.some((e) => Object.hasOwn(e.tags, '__proto__')) && events.some((e) => Object.hasOwn(e.params, '__proto__')));
  });

  it("reads a user's time range, oldest first, and only that range", async () => {
    // Prepare
    const db = await ready;
    const bigints = openSqliteDatabase(path, { readonly: true }).defaultSafeIntegers(true);
    after(() => bigints.close());
    const byUser = new Map<string, ChatEvent[]>();
    for (const e of events) if (e.user_login !== null) byUser.set(e.user_login, [...(byUser.get(e.user_login) ?? []), e]);
    const busiest = [...byUser].sort((a, b) => b[1].length - a[1].length).slice(0, 20);
    for (const [userLogin, mine] of busiest) {
      const times = mine.map((e) => e.sent_at).sort((a, b) => a - b);
      const from = times[Math.floor(times.length / 4)]!;
      const to = times[Math.floor((3 * times.length) / 4)]!;
      // Act
      const read = readChatEvents(db, { userLogin, from, to });
      // Assess
      const want = mine.filter((e) => e.sent_at >= from && e.sent_at < to);
      assert.deepStrictEqual(new Map(read.map((e) => [e.event_id, e])), new Map(want.map((e) => [e.event_id, e])));
      assert.deepStrictEqual(readChatEvents(bigints, { userLogin, from, to }), read, 'a connection reading integers as bigints');
      assert.deepEqual(
        read.map((e) => e.sent_at),
        [...read.map((e) => e.sent_at)].sort((a, b) => a - b),
      );
    }
  });
});
