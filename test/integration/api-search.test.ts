import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSearchQuery } from '../../core/read/searchQuery.ts';
import { SqliteChatReader } from '../../core/read/sqliteChatReader.ts';
import type { ChatReader } from '../../core/read/types.ts';
import { SQLITE_MIGRATIONS } from '../../core/sinks/sqlite/sqliteMigrations.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { createApiServer } from '../../services/api/createApiServer.ts';
import { ALL_EVENTS, E } from '../helpers/readApiDataset.ts';
import { eventOf, get, line, readApiSink, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';
import { searchCorpus, words } from '../helpers/searchCorpus.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

/**
 * Full-text search (docs/read-api.md, "Search") on the sink READ_API_SINK names (SQLite's FTS5
 * index by default; api-compat-*.test.ts run this file on Postgres and chdb). The last describes
 * check SQLite's own index and run on SQLite only.
 */
const clickhouseOnly = { skip: readApiSink !== 'clickhouse' && `ClickHouse's two-step search (READ_API_SINK=${readApiSink})` };
const sqliteOnly = { skip: readApiSink !== 'sqlite' && `SQLite's own index (READ_API_SINK=${readApiSink})` };
const ids = (body: string) => (JSON.parse(body) as { messages: { id: string }[] }).messages.map((m) => m.id);
const search = async (api: { url: string }, path: string, q: string, extra = '') => {
  const answer = await get(`${api.url}${path}/search?q=${encodeURIComponent(q)}&json${extra}`);
  assert.equal(answer.status, 200, `${path} ${q}: ${answer.text}`);
  return ids(answer.text);
};

async function serve(reader: ChatReader): Promise<{ url: string; close(): Promise<void> }> {
  const server = createApiServer({ reader, now: () => Date.parse('2024-03-05T12:00:00Z') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reader.close();
    },
  };
}

describe('search on the named dataset', () => {
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(ALL_EVENTS, { now: () => Date.parse('2024-03-05T12:00:00Z') })));
  after(() => api.close());

  it('finds a word in the channel, oldest first, as justlog text', async () => {
    const answer = await get(`${api.url}/channel/pajlada/search?q=first`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.headers['cache-control'], 'no-cache');
    assert.equal(
      answer.text,
      '[2024-02-1 00:00:00] #pajlada jun1orrrr: first of february\n[2024-02-2 00:00:00] #pajlada randers: first of the 2nd\n',
    );
  });

  it('needs every word, in any order, case folded; a quoted phrase needs its words in order', async () => {
    assert.deepEqual(await search(api, '/channel/pajlada', 'of FIRST'), [E.m2.event_id, E.m3.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'february first'), [E.m2.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', '"of the"'), [E.m3.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', '"the of"'), []);
    assert.deepEqual(await search(api, '/channel/pajlada', 'great "stream"'), [E.resub.event_id]);
  });

  it('stays in the channel, and in the user when one is named (by login or id)', async () => {
    assert.deepEqual(await search(api, '/channel/forsen', 'chat'), [E.f1.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'chat'), []);
    assert.deepEqual(await search(api, '/channel/pajlada/user/randers', 'first'), [E.m3.event_id]);
    assert.deepEqual(await search(api, '/channelid/11148817/userid/29803735', 'first'), [E.m2.event_id]);
  });

  it('takes from/to, reverse, limit and offset as the log routes do', async () => {
    assert.deepEqual(await search(api, '/channel/pajlada', 'first', '&from=2024-02-02T00:00:00Z'), [E.m3.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'first', '&to=1706832000'), [E.m2.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'first', '&reverse'), [E.m3.event_id, E.m2.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'first', '&limit=1'), [E.m2.event_id]);
    assert.deepEqual(await search(api, '/channel/pajlada', 'first', '&limit=1&offset=1'), [E.m3.event_id]);
    const closed = await get(`${api.url}/channel/pajlada/search?q=first&from=2024-02-01T00:00:00Z&to=2024-02-03T00:00:00Z`);
    assert.equal(closed.headers['cache-control'], 'public, max-age=36000');
  });

  it('answers in raw and ndjson, and an empty 200 when nothing matches', async () => {
    assert.equal((await get(`${api.url}/channel/pajlada/search?q=march&raw`)).text, `${E.m4.raw}\n`);
    const ndjson = await get(`${api.url}/channel/pajlada/search?q=march&type=ndjson`);
    assert.equal(ndjson.headers['content-type'], 'application/x-ndjson');
    assert.equal((JSON.parse(ndjson.text) as { id: string }).id, E.m4.event_id);
    const none = await get(`${api.url}/channel/pajlada/search?q=nothingatall`);
    assert.deepEqual([none.status, none.text], [200, '']);
    assert.equal((await get(`${api.url}/channel/pajlada/search?q=nothingatall&json`)).text, '{"messages":[]}');
  });

  it('refuses bad queries with 400 and a message, unknown channels and users with 404', async () => {
    for (const [query, message] of [
      ['', 'q is required'],
      ['q=', 'q is empty'],
      ['q=%20%22%22', 'q is empty'],
      ['q=%22open', 'unclosed quote'],
      ['q=!!!', 'no letter or digit'],
      [`q=${'a'.repeat(201)}`, 'longer than 200'],
      [`q=${'a '.repeat(11)}`, 'more than 10'],
      ['q=first&limit=x', 'limit'],
      ['q=first&from=yesterday', 'from'],
    ] as const) {
      const answer = await get(`${api.url}/channel/pajlada/search?${query}`);
      assert.equal(answer.status, 400, query);
      assert.match(answer.text, new RegExp(message.replace(/[()]/g, '\\$&')), query);
    }
    assert.equal((await get(`${api.url}/channel/nobody/search?q=first`)).status, 404);
    assert.equal((await get(`${api.url}/channel/pajlada/user/nobody/search?q=first`)).status, 404);
    assert.equal((await get(`${api.url}/channelid/1/search?q=first`)).status, 404);
  });

  it('answers 501 with a message on a reader without search', sqliteOnly, async () => {
    const inner = new SqliteChatReader(api.path);
    const reader: ChatReader = {
      listChannels: () => inner.listChannels(),
      firstEventAt: (s, f) => inner.firstEventAt(s, f),
      lastEventAt: (s) => inner.lastEventAt(s),
      events: (s, r) => inner.events(s, r),
      close: () => inner.close(),
    };
    const plain = await serve(reader);
    try {
      const answer = await get(`${plain.url}/channel/pajlada/search?q=first`);
      assert.equal(answer.status, 501);
      assert.match(answer.text, /Search is not available/);
    } finally {
      await plain.close();
    }
  });
});

describe('search against brute force over 3,000 seeded messages', () => {
  const corpus = searchCorpus(3000);
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(corpus.events)));
  after(() => api.close());

  it('answers exactly the messages that contain every word and phrase', async () => {
    const queries = [
      'kappa',
      'pog',
      'POGCHAMP kekw',
      '"the game"',
      '"of the" stream',
      'pokemon',
      'CAFÉ',
      "don't",
      '"it s" gg',
      '1v1 2024',
      'never again wp',
    ];
    for (const q of queries) {
      const query = parseSearchQuery(q);
      for (const [path, channel, user] of [
        ['/channel/pajlada', 'pajlada', undefined],
        ['/channel/forsen', 'forsen', undefined],
        ['/channel/pajlada/user/user7', 'pajlada', 'user7'],
      ] as const) {
        const expected = corpus.matching(query, channel, user);
        assert.deepEqual(await search(api, path, q), expected, `${path} ${q}`);
      }
    }
    // The dataset is not trivial: some answers are large, some small, a phrase narrower than its words.
    assert.ok(corpus.matching(parseSearchQuery('kappa'), 'pajlada').length > 200);
    assert.ok(
      corpus.matching(parseSearchQuery('"the game"'), 'pajlada').length < corpus.matching(parseSearchQuery('the game'), 'pajlada').length,
    );
  });
});

describe('search without FINAL (ClickHouse: keys from chat_event_rows, core/read/clickhouseSearchKeys.ts)', clickhouseOnly, () => {
  // Eight messages in one millisecond, ids that are not UUIDs (event_uuid a hash of each: its
  // order is not the ids' order), each stored twice in parts no merge has collapsed yet.
  const at = Date.parse('2024-02-03T10:00:00Z');
  const tied = Array.from({ length: 8 }, (_, i) =>
    eventOf(
      line.privmsg({
        channel: 'pajlada',
        roomId: '11148817',
        login: `tie${i}`,
        userId: String(700 + i),
        text: 'tie break',
        at,
        id: `tie-${i}`,
      }),
      at + 5,
    ),
  );
  const byId = tied.map((e) => e.event_id).sort();
  let api: ReadApiRun;
  before(
    async () =>
      (api = await startReadApi([...ALL_EVENTS, ...tied], {}, async (sink) => {
        await sink.query("INSERT INTO chat_event_rows SETTINGS insert_deduplication_token = 'copies' SELECT * FROM chat_event_rows");
      })),
  );
  after(() => api.close());

  it('gives each event once, and the events of one millisecond in event-id order across limit and offset', async () => {
    assert.deepEqual(await search(api, '/channel/pajlada', 'tie'), byId);
    assert.deepEqual(await search(api, '/channel/pajlada', 'tie break', '&limit=3&offset=2'), byId.slice(2, 5));
    assert.deepEqual(await search(api, '/channel/pajlada', 'tie', '&reverse&limit=3&offset=1'), [...byId].reverse().slice(1, 4));
    assert.deepEqual(await search(api, '/channel/pajlada/user/tie5', 'break'), ['tie-5']);
  });
});

describe('search pages over events stored out of time order', () => {
  // Prepare: the corpus written in batches of 50 that arrive shuffled a little (sorted by their
  // index plus up to 4), the first batch last and a late one first: rowids follow arrival, not
  // sent_at, so a page's walk in rowid order meets later events first and finds earlier ones
  // later (sqliteSearchPage.ts), across its chunks (limits from 1) and before its start (from/to).
  // On every sink: ClickHouse's and Postgres's pages are cut by (sent_at, event_id) too.
  const corpus = searchCorpus(3000, 11);
  const rand = seededRandom(3);
  const batches = Array.from({ length: 60 }, (_, i) => ({ i, key: i + rand() * 5 }))
    .sort((a, b) => a.key - b.key)
    .map((b) => b.i)
    .filter((i) => i !== 0 && i !== 40);
  const arrival = [40, ...batches, 0].flatMap((i) => corpus.events.slice(i * 50, i * 50 + 50));
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(arrival)));
  after(() => api.close());

  it('answers every page as brute force does: limit, offset, reverse, from and to', async () => {
    const at = (i: number) => corpus.events[i]!.sent_at;
    const pages = [
      { extra: '&limit=1', from: 0, to: Infinity },
      { extra: '&limit=7&offset=3', from: 0, to: Infinity },
      { extra: '&limit=60', from: 0, to: Infinity },
      { extra: '&reverse&limit=1', from: 0, to: Infinity, reverse: true },
      { extra: '&reverse&limit=9&offset=5', from: 0, to: Infinity, reverse: true },
      { extra: `&from=${at(1000) / 1000}&to=${at(2500) / 1000}&limit=12&offset=1`, from: at(1000), to: at(2500) },
      { extra: `&from=${at(1990) / 1000}&to=${at(2600) / 1000}&limit=5`, from: at(1990), to: at(2600) },
      { extra: `&from=${at(100) / 1000}&to=${at(2030) / 1000}&reverse&limit=8`, from: at(100), to: at(2030), reverse: true },
      { extra: `&from=${at(10) / 1000}&to=${at(60) / 1000}&reverse&limit=4&offset=2`, from: at(10), to: at(60), reverse: true },
    ];
    const sentAt = new Map(corpus.events.map((e) => [e.event_id, e.sent_at]));
    for (const q of ['kappa', 'the game', '"of the"', 'never again wp', 'pokemon']) {
      for (const [path, channel, user] of [
        ['/channel/pajlada', 'pajlada', undefined],
        ['/channel/pajlada/user/user7', 'pajlada', 'user7'],
      ] as const) {
        for (const page of pages) {
          const limit = Number(/limit=(\d+)/.exec(page.extra)![1]);
          const offset = Number(/offset=(\d+)/.exec(page.extra)?.[1] ?? 0);
          const inRange = corpus.matching(parseSearchQuery(q), channel, user).filter((id) => {
            const t = sentAt.get(id)!;
            return t >= page.from && t < page.to;
          });
          const expected = (page.reverse ? inRange.reverse() : inRange).slice(offset, offset + limit);
          assert.deepEqual(await search(api, path, q, page.extra), expected, `${path} ${q} ${page.extra}`);
        }
      }
    }
  });
});

describe('the index of a database written before it', sqliteOnly, () => {
  it('is filled by the migration from the stored rows, then kept by the writer, once per event', async () => {
    // Prepare: a database at version 3 (no index) with half the corpus
    const dir = mkdtempSync(join(tmpdir(), 'api-search-'));
    const path = join(dir, 'poglytics.db');
    const corpus = searchCorpus(600, 5);
    const v3 = new SqliteSink(
      { sink: 'sqlite', path },
      SQLITE_MIGRATIONS.filter((m) => m.version <= 3),
    );
    await v3.write(corpus.events.slice(0, 300));
    await v3.close();
    const unindexed = await serve(new SqliteChatReader(path));
    const before = await get(`${unindexed.url}/channel/pajlada/search?q=kappa`);
    await unindexed.close();
    // Act: migrate, write the rest and the first half again (duplicates)
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await sink.write(corpus.events.slice(300));
    await sink.write(corpus.events.slice(0, 300));
    await sink.close();
    const api = await serve(new SqliteChatReader(path));
    try {
      // Assess
      assert.equal(before.status, 501);
      assert.match(before.text, /poglytics migrate/);
      const query = parseSearchQuery('kappa lul');
      const expected = corpus.matching(query, 'pajlada');
      assert.ok(expected.some((id) => id < corpus.events[300]!.event_id) && expected.some((id) => id >= corpus.events[300]!.event_id));
      assert.deepEqual(await search(api, '/channel/pajlada', 'kappa lul'), expected);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the index after deletions', sqliteOnly, () => {
  it("keeps no word of an opted-out user's or an expired event: the index matches the rows left, term for term", async () => {
    // Prepare: the corpus stored, the index consulted directly (not through the reader, which joins the rows and would hide stale entries)
    const dir = mkdtempSync(join(tmpdir(), 'api-search-delete-'));
    const path = join(dir, 'poglytics.db');
    const corpus = searchCorpus(600, 9);
    const sink = new SqliteSink({ sink: 'sqlite', path });
    await sink.write(corpus.events);
    const leaving = corpus.events[0]!;
    const cutoff = corpus.events[100]!.sent_at;
    const indexed = (word: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return (
          db.prepare('SELECT rowid FROM chat_event_text WHERE chat_event_text MATCH ? ORDER BY rowid').all(word) as { rowid: number }[]
        ).map((r) => r.rowid);
      } finally {
        db.close();
      }
    };
    const stored = (word: string) => {
      const db = new Database(path, { readonly: true });
      try {
        const rows = db.prepare('SELECT rowid, text FROM chat_event_rows WHERE text IS NOT NULL ORDER BY rowid').all() as {
          rowid: number;
          text: string;
        }[];
        return rows.filter((r) => words(r.text).includes(word)).map((r) => r.rowid);
      } finally {
        db.close();
      }
    };
    try {
      // Act
      const byUser = await sink.deleteOptedOut({ userIds: [leaving.user_id!], userLogins: [], channelIds: [], channelLogins: [] });
      const expired = await sink.applyRetention({ eventsBefore: cutoff, snapshotsBefore: null });
      // Assess: rows went, and for every word the index answers exactly the rows left holding it
      assert.ok(byUser > 10 && expired > 50, `${byUser} by the user, ${expired} expired`);
      for (const word of ['kappa', 'the', 'pokemon', 'gg']) {
        const left = stored(word);
        assert.ok(left.length > 0, word);
        assert.deepEqual(indexed(word), left, word);
      }
      const db = new Database(path);
      try {
        db.prepare("INSERT INTO chat_event_text (chat_event_text, rank) VALUES ('integrity-check', 1)").run();
      } finally {
        db.close();
      }
    } finally {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
