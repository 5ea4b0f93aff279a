import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { CATEGORY_VIEWS } from '../../core/sinks/categoryViews.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { rawCorpus, throughStream } from './rawCorpus.ts';
import { UNTIMED_CHANNEL, untimedReplicaBatches } from './untimedCopies.ts';
import { HOSTILE_TEXTS, expectedViewCounts, makeChatEvents, makeSnapshots, rowToChatEvent, rowToSnapshot } from './chatEvents.ts';

export interface SinkDialect {
  /** SELECT * FROM <table> for the given event ids. */
  byIds(table: string, ids: string[]): { sql: string; params: unknown[] };
  /** The schema versions a fresh database ends at (default 1 and 2). */
  readonly migrationVersions?: readonly number[];
}

const TOTAL = 100_000;
const BATCH = 10_000;

/**
 * The behaviour every sink must show (issue 5 acceptance): 100,000 events of every kind read
 * back equal, hostile text verbatim, re-writes add nothing, views and snapshots right.
 */
export function describeSinkContract(
  name: string,
  open: () => Promise<Sink>,
  dialect: SinkDialect,
  cleanup: () => Promise<void> = async () => {},
) {
  describe(`${name} sink`, () => {
    let sink: Sink;
    const events = makeChatEvents(TOTAL, { seed: 42 });
    const snapshots = makeSnapshots(300);
    // One event per hostile text in every text-bearing field (the big batch has more, at random).
    const hostile: ChatEvent[] = makeChatEvents(HOSTILE_TEXTS.length, { seed: 99, hostileShare: 0 }).map((e, i) => {
      const t = HOSTILE_TEXTS[i]!;
      return {
        ...e,
        kind: 'message',
        text: t,
        system_text: t,
        display_name: t,
        raw: `@x=y :u PRIVMSG #c :${t}`,
        tags: { ...e.tags, [`k${t.slice(0, 20)}`]: t },
        params: { p: t },
      };
    });

    before(async () => {
      sink = await open();
    });
    after(async () => {
      await sink?.close();
      await cleanup();
    });

    const readBack = async (table: string, ids: string[]) => {
      const { sql, params } = dialect.byIds(table, ids);
      return sink.query(sql, params);
    };

    it('stores 100,000 events of every kind and reads every field back equal', async () => {
      // Prepare
      let inserted = 0;
      let duplicates = 0;
      // Act
      for (let i = 0; i < events.length; i += BATCH) {
        const result = await sink.write(events.slice(i, i + BATCH));
        inserted += result.inserted;
        duplicates += result.duplicates;
      }
      // Assess
      assert.deepEqual({ inserted, duplicates }, { inserted: TOTAL, duplicates: 0 });
      const expectedKinds: Record<string, number> = {};
      for (const e of events) expectedKinds[e.kind] = (expectedKinds[e.kind] ?? 0) + 1;
      assert.equal(Object.keys(expectedKinds).length, 8, 'factory covers all 8 kinds');
      const rows = await sink.query('SELECT kind, count(*) AS n FROM chat_events GROUP BY kind');
      assert.deepEqual(Object.fromEntries(rows.map((r) => [String(r.kind), Number(r.n)])), expectedKinds);

      const sample = events.filter((_, i) => i % 101 === 0);
      const stored = await readBack(
        'chat_events',
        sample.map((e) => e.event_id),
      );
      const byId = new Map(stored.map((r) => [String(r.event_id), rowToChatEvent(r)]));
      assert.equal(byId.size, sample.length);
      for (const event of sample) assert.deepStrictEqual(byId.get(event.event_id), event);
    });

    it('stores hostile text verbatim (quotes, backslashes, SQL, control characters, emoji, 500 chars)', async () => {
      // Act
      const result = await sink.write(hostile);
      const fromBatch = events.filter((e) => e.text !== null && (HOSTILE_TEXTS as readonly string[]).includes(e.text)).slice(0, 300);
      const stored = await readBack(
        'chat_events',
        [...hostile, ...fromBatch].map((e) => e.event_id),
      );
      // Assess
      assert.equal(result.inserted, hostile.length);
      const byId = new Map(stored.map((r) => [String(r.event_id), rowToChatEvent(r)]));
      for (const event of [...hostile, ...fromBatch]) assert.deepStrictEqual(byId.get(event.event_id), event);
    });

    it('adds nothing when the same batch is written again', async () => {
      // Prepare
      const batch = events.slice(20_000, 30_000);
      const before = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      // Act
      const again = await sink.write(batch);
      const mixed = await sink.write([...events.slice(0, 5), ...makeChatEvents(3, { seed: 4242 }), events[0]!]);
      // Assess
      assert.deepEqual(again, { inserted: 0, duplicates: batch.length });
      assert.deepEqual(mixed, { inserted: 3, duplicates: 6 });
      const after = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      assert.equal(after, before + 3);
    });

    it('stores once each new event that two capture replicas put in the same batch', async () => {
      // Prepare: CAPTURE_REPLICAS=2 interleaves both copies (same event_id, other received_at) in one batch.
      const fresh = makeChatEvents(50, { seed: 777 });
      const copies = fresh.map((e) => ({ ...structuredClone(e), received_at: e.received_at + 7 }));
      const before = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      // Act
      const result = await sink.write(fresh.flatMap((e, i) => [e, copies[i]!]));
      // Assess
      assert.deepEqual(result, { inserted: 50, duplicates: 50 });
      const after = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      assert.equal(after, before + 50);
    });

    it('stores once an untimed line two replicas read at other times, under one id, across a window edge or as an orphan, and keeps lines that are not copies', async () => {
      // Prepare
      const { first, second, firstLines, secondLines } = untimedReplicaBatches();
      const lines = firstLines + secondLines;
      // Act
      const one = await sink.write(first);
      const two = await sink.write(second);
      // Assess
      assert.deepEqual(
        [one, two],
        [
          { inserted: firstLines, duplicates: first.length - firstLines },
          { inserted: secondLines, duplicates: second.length - secondLines },
        ],
      );
      const rows = await sink.query(`SELECT count(*) AS n FROM chat_events WHERE channel = '${UNTIMED_CHANNEL}'`);
      assert.equal(Number(rows[0]?.n), lines);
      // The counting tests after this one see only their own events.
      assert.equal(await sink.deleteOptedOut!({ userIds: [], userLogins: [], channelIds: [], channelLogins: [UNTIMED_CHANNEL] }), lines);
    });

    it('answers the category views with the events of each category', async () => {
      // Prepare
      const all = [...events, ...hostile, ...makeChatEvents(3, { seed: 4242 }), ...makeChatEvents(50, { seed: 777 })];
      const expected = expectedViewCounts(all);
      // Act
      const counts: Record<string, number> = {};
      for (const view of CATEGORY_VIEWS) counts[view.name] = Number((await sink.query(`SELECT count(*) AS n FROM ${view.name}`))[0]?.n);
      // Assess
      assert.deepEqual(counts, expected);
      const sub = all.find((e) => e.kind === 'usernotice' && e.subtype === 'resub')!;
      const { sql, params } = dialect.byIds('subscriptions', [sub.event_id]);
      const rows = await sink.query(sql, params);
      assert.deepStrictEqual(rows.map(rowToChatEvent), [sub]);
    });

    it('stores stream snapshots once and reads them back equal', async () => {
      // Act
      const first = await sink.write(snapshots);
      const second = await sink.write(snapshots.slice(0, 50));
      const stored = await readBack(
        'stream_snapshots',
        snapshots.map((s) => s.event_id),
      );
      // Assess
      assert.deepEqual(first, { inserted: snapshots.length, duplicates: 0 });
      assert.deepEqual(second, { inserted: 0, duplicates: 50 });
      const byId = new Map(stored.map((r) => [String(r.event_id), rowToSnapshot(r)]));
      for (const snapshot of snapshots) assert.deepStrictEqual(byId.get(snapshot.event_id), snapshot);
    });

    it('applies each migration once, however often migrate runs', async () => {
      // Act
      await sink.migrate();
      await sink.migrate();
      const rows = await sink.query('SELECT version FROM schema_migrations ORDER BY version');
      // Assess
      assert.deepEqual(
        rows.map((r) => Number(r.version)),
        dialect.migrationVersions ?? [1, 2],
      );
    });

    it('retention deletes exactly the events and snapshots older than the limit (dated in the past, across months), again nothing', async () => {
      // Prepare: 2019, before every event written so far (2024; this runs before the raw-line corpus,
      // whose real and mutated lines carry older timestamps); the cutoff mid-June, events March to August.
      const cutoff = Date.UTC(2019, 5, 15, 12);
      const day = 86_400_000;
      const offsets = [-90 * day, -45 * day, -20 * day, -day, -1, 0, 1, day, 30 * day, 60 * day];
      const old = makeChatEvents(offsets.length, { seed: 2019 }).map((e, i) => ({
        ...e,
        event_id: `retention-${i}`,
        sent_at: cutoff + offsets[i]!,
        received_at: cutoff + offsets[i]! + 40,
      }));
      const snaps = makeSnapshots(offsets.length, 2019).map((s, i) => ({
        ...s,
        event_id: `retention-snap-${i}`,
        captured_at: cutoff + offsets[i]!,
      }));
      await sink.write([...old, ...snaps]);
      const before = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      // Act
      const removed = await sink.applyRetention!({ eventsBefore: cutoff, snapshotsBefore: cutoff });
      const again = await sink.applyRetention!({ eventsBefore: cutoff, snapshotsBefore: cutoff });
      // Assess: the five before the cutoff go, the cutoff itself and later stay, nothing else is touched.
      const older = offsets.filter((o) => o < 0).length;
      assert.equal(removed, 2 * older);
      assert.equal(again, 0);
      const left = await readBack(
        'chat_events',
        old.map((e) => e.event_id),
      );
      assert.deepEqual(
        left.map((r) => String(r.event_id)).sort(),
        old
          .filter((e) => e.sent_at >= cutoff)
          .map((e) => e.event_id)
          .sort(),
      );
      const snapsLeft = await readBack(
        'stream_snapshots',
        snaps.map((s) => s.event_id),
      );
      assert.equal(snapsLeft.length, offsets.length - older);
      assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), before - older);
    });

    it('gives back every raw line byte for byte after the stream: the real-line corpus, 10,000 events from mutations of it, simulator traffic, factory events', async () => {
      // Prepare
      const { normalized, built } = rawCorpus({ mutations: 10_000, simulated: 10_000, factory: 2_000 });
      const sent = new Map([...normalized, ...built].map((e) => [e.event_id, e]));
      const { events: received, rejected } = throughStream(normalized, built);
      assert.equal(received.length + rejected, sent.size);
      // Act
      for (let i = 0; i < received.length; i += BATCH) await sink.write(received.slice(i, i + BATCH));
      const stored = new Map<string, ChatEvent>();
      for (let i = 0; i < received.length; i += 2000)
        for (const row of await readBack(
          'chat_events',
          received.slice(i, i + 2000).map((e) => e.event_id),
        ))
          stored.set(String(row.event_id), rowToChatEvent(row));
      // Assess
      assert.equal(stored.size, received.length);
      let lines = 0;
      for (const event of received) {
        const want = sent.get(event.event_id)!;
        const got = stored.get(event.event_id)!;
        assert.equal(got.raw, want.raw, `raw of ${want.event_id}`);
        assert.deepStrictEqual(got, want, want.raw);
        lines++;
      }
      assert.ok(lines > 20_000, `${lines} lines checked`);
    });

    it('deletes every event by, about or in an opted-out user or channel, and their snapshots; nothing else; again deletes nothing', async () => {
      // Prepare: a user who chats and is timed out, a channel with its own events and snapshots, and bystanders.
      const user = { id: '5151515151', login: 'leaving_user' };
      const channel = { id: '6161616161', login: 'leaving_channel' };
      const base = makeChatEvents(60, { seed: 1818 });
      const mine = base.slice(0, 20).map((e, i) => ({
        ...e,
        event_id: `optout-user-${i}`,
        ...(i % 2 === 0 ? { user_id: user.id, user_login: user.login } : { target_user_id: user.id, target_user_login: user.login }),
      }));
      const inChannel = base
        .slice(20, 35)
        .map((e, i) => ({ ...e, event_id: `optout-channel-${i}`, channel: channel.login, channel_id: channel.id }));
      const bystanders = base.slice(35).map((e, i) => ({ ...e, event_id: `optout-bystander-${i}` }));
      const snaps = makeSnapshots(4).map((s, i) => ({
        ...s,
        event_id: `optout-snap-${i}`,
        ...(i < 2 ? { channel: channel.login, channel_id: channel.id } : {}),
      }));
      await sink.write([...mine, ...inChannel, ...bystanders, ...snaps]);
      const count = async (table: string, ids: string[]) => (await readBack(table, ids)).length;
      const before = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      // Act
      const deleted = await sink.deleteOptedOut!({
        userIds: [user.id],
        userLogins: [],
        channelIds: [channel.id],
        channelLogins: [channel.login],
      });
      const again = await sink.deleteOptedOut!({
        userIds: [user.id],
        userLogins: [],
        channelIds: [channel.id],
        channelLogins: [channel.login],
      });
      // Assess
      assert.equal(deleted, mine.length + inChannel.length + 2);
      assert.equal(again, 0);
      assert.equal(
        await count(
          'chat_events',
          [...mine, ...inChannel].map((e) => e.event_id),
        ),
        0,
      );
      assert.equal(
        await count(
          'chat_events',
          bystanders.map((e) => e.event_id),
        ),
        bystanders.length,
      );
      assert.equal(
        await count(
          'stream_snapshots',
          snaps.map((s) => s.event_id),
        ),
        2,
      );
      const after = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
      assert.equal(after, before - mine.length - inChannel.length);
    });
  });
}
