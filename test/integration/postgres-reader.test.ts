import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { createChatReader } from '../../core/read/createChatReader.ts';
import type { StoredEvent } from '../../core/read/types.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { rawCorpus, throughStream } from '../helpers/rawCorpus.ts';
import { startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';

let server: ScratchPostgres | undefined;
const started = startScratchPostgres().then((s) => (server = s));
after(async () => server?.close());

describe('the Postgres read path (chat_event_parts, raw and tags rebuilt in TypeScript)', () => {
  it('gives every event the raw line and tags the chat_events view gives: real lines, mutations of them, simulator traffic, factory events', async () => {
    // Prepare
    const url = (await started).url;
    const { normalized, built } = rawCorpus({ mutations: 3000, simulated: 3000, factory: 1000 });
    const sent = new Map<string, ChatEvent>([...normalized, ...built].map((e) => [e.event_id, e]));
    // And events whose tags, badges or raw line are not a line's (the rows hold their own tags).
    const odd: ChatEvent[] = built.slice(0, 3).map((e, i) => ({
      ...e,
      event_id: `odd-${i}`,
      raw: ['not an irc line', `@x=y :u PRIVMSG #c :${e.text ?? ''}`, '@a=1;a=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :\x1f %s'][i]!,
      tags: { changed: String(i) },
      badges: [['a,b'], [''], ['[x', 'y']][i]!,
    }));
    // And a line whose badges start with `[`: stored as JSON (badgeList.ts), still the line's badges slot.
    const listed = built.find((e) => e.badges.length > 1 && e.raw.includes(`;badges=${e.badges.join(',')};`))!;
    odd.push({
      ...listed,
      event_id: 'badges-json',
      badges: ['[x/1', 'y/2'],
      raw: listed.raw.replace(`;badges=${listed.badges.join(',')};`, ';badges=[x/1,y/2;'),
      tags: { ...listed.tags, badges: '[x/1,y/2' },
    });
    for (const e of odd) sent.set(e.event_id, e);
    const events = [...throughStream(normalized, built).events, ...odd];
    const sink = createSink({ sink: 'postgres', connectionString: url });
    for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
    const view = new Map((await sink.query('SELECT event_id, raw, tags FROM chat_events')).map((r) => [String(r.event_id), r]));
    const [bracketed] = await sink.query(
      `SELECT r.badges, t.template FROM chat_event_rows r JOIN line_templates t ON t.id = r.template_id WHERE r.event_id_form = '=badges-json'`,
    );
    assert.equal(bracketed?.badges, '["[x/1","y/2"]');
    assert.ok(String(bracketed?.template).includes(';badges=\x1fn;'), 'the badges slot');
    const channels = [...new Set(events.map((e) => e.channel))];
    const from = Math.min(...events.map((e) => e.sent_at));
    const to = Math.max(...events.map((e) => e.sent_at)) + 1;
    await sink.close();
    const reader = createChatReader({ sink: 'postgres', connectionString: url });
    // Act
    const read: StoredEvent[] = [];
    try {
      for (const channel of channels) for await (const e of reader.events({ channel }, { fromMs: from, toMs: to })) read.push(e);
    } finally {
      await reader.close();
    }
    // Assess
    assert.equal(read.length, events.length);
    for (const e of read) {
      const want = view.get(e.event_id)!;
      assert.equal(e.raw, sent.get(e.event_id)!.raw, `raw of ${e.event_id}`);
      assert.equal(e.raw, want.raw);
      assert.deepStrictEqual(e.tags, want.tags, e.raw);
      assert.deepStrictEqual(e.tags, sent.get(e.event_id)!.tags, e.raw);
    }
  });
});
