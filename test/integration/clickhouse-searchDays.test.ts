import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSearchQuery } from '../../core/read/searchQuery.ts';
import { CLICKHOUSE_READER, SqlChatReader } from '../../core/read/sqlChatReader.ts';
import type { EventRange, ReadScope } from '../../core/read/types.ts';
import { ClickHouseSink } from '../../core/sinks/clickhouse/clickhouseSink.ts';
import { perRequestChdb } from '../helpers/perRequestChdb.ts';
import { eventOf, line } from '../helpers/readApiFixture.ts';
import { searchCorpus } from '../helpers/searchCorpus.ts';

/**
 * A ClickHouse search reads a day range at a time in the page's order, each range twice
 * the last (core/read/clickhouseSearchPage.ts), on chat_event_rows sorted by (channel, day, user,
 * sent_at) (migration 7). Here on 1,200 messages over 100 days, in chdb (one database per process).
 */
const dir = mkdtempSync(join(tmpdir(), 'poglytics-chdb-search-days-'));
const DAY = 86_400_000;
const at0 = Date.UTC(2024, 1, 1);
const corpus = searchCorpus(1200, 23, at0, 2 * 3_600_000 + 7_000);
const rare = (word: string, at: number, id: string) =>
  eventOf(line.privmsg({ channel: 'pajlada', roomId: '11148817', login: 'user3', userId: '5003', text: `a ${word} here`, at, id }), at + 3);
const firstDay = rare('zyzzyva', at0 + 3_600_000, '00000000-0000-4000-c000-000000000001');
const lastDay = rare('quokka', at0 + 99 * DAY + 3_600_000, '00000000-0000-4000-c000-000000000002');
// A word on every fifth day (20 days), written twice as copies that merges have not collapsed yet.
const spread = Array.from({ length: 20 }, (_, i) =>
  rare('wombat', at0 + i * 5 * DAY + 7_200_000, `00000000-0000-4000-c000-0000000001${String(i).padStart(2, '0')}`),
);
const sink = new ClickHouseSink({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection: perRequestChdb(dir).connection });
const queries: string[] = [];
const reader = new SqlChatReader(
  {
    name: sink.name,
    query: (q, p) => {
      queries.push(q);
      return sink.query(q, p);
    },
    close: async () => {},
  },
  CLICKHOUSE_READER,
);

async function ids(scope: ReadScope, q: string, range: EventRange): Promise<string[]> {
  const out: string[] = [];
  for await (const e of reader.search(scope, parseSearchQuery(q), range)) out.push(e.event_id);
  return out;
}

/** The day-range queries one search makes. */
async function dayRanges(scope: ReadScope, q: string, range: EventRange): Promise<{ found: string[]; ranges: number }> {
  queries.length = 0;
  const found = await ids(scope, q, range);
  return { found, ranges: queries.filter((sql) => sql.includes('toDate(sent_at) BETWEEN')).length };
}

describe('ClickHouse search over many days', () => {
  before(async () => {
    await sink.write([...corpus.events, firstDay, lastDay, ...spread]);
    await sink.query(
      "INSERT INTO chat_event_rows SETTINGS insert_deduplication_token = 'search-days-copies' SELECT * FROM chat_event_rows WHERE text LIKE '%wombat%'",
    );
  });
  after(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every page as brute force does across the day ranges: limit, offset, reverse, from and to', async () => {
    const at = (i: number) => corpus.events[i]!.sent_at;
    const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };
    const pages: (EventRange & { name: string })[] = [
      { name: 'limit 1', ...all, limit: 1 },
      { name: 'limit 7 offset 3', ...all, limit: 7, offset: 3 },
      { name: 'limit 90', ...all, limit: 90 },
      { name: 'all', ...all, limit: 5000 },
      { name: 'reverse limit 1', ...all, limit: 1, reverse: true },
      { name: 'reverse limit 40 offset 5', ...all, limit: 40, offset: 5, reverse: true },
      { name: 'reverse all', ...all, limit: 5000, reverse: true },
      { name: 'from to', fromMs: at(300), toMs: at(900), limit: 33, offset: 2 },
      { name: 'from to reverse', fromMs: at(100), toMs: at(700), limit: 25, reverse: true },
    ];
    const sentAt = new Map(corpus.events.map((e) => [e.event_id, e.sent_at]));
    for (const q of ['kappa', 'the game', '"of the"', 'never again wp']) {
      for (const user of [undefined, 'user7']) {
        const scope: ReadScope = user === undefined ? { channel: 'pajlada' } : { channel: 'pajlada', user: { login: user } };
        for (const page of pages) {
          const inRange = corpus.matching(parseSearchQuery(q), 'pajlada', user).filter((id) => {
            const t = sentAt.get(id)!;
            return t >= page.fromMs && t < page.toMs;
          });
          const offset = page.offset ?? 0;
          const expected = (page.reverse ? inRange.reverse() : inRange).slice(offset, offset + page.limit!);
          assert.deepEqual(await ids(scope, q, page), expected, `${user ?? 'channel'} ${q} ${page.name}`);
        }
      }
    }
    // The pages are not trivial: a word on most days, and the ranges span 100 of them.
    assert.ok(corpus.matching(parseSearchQuery('kappa'), 'pajlada').length > 90);
    assert.ok(corpus.events.at(-1)!.sent_at - at0 > 99 * DAY);
  });

  it("reads the scope's days in ranges that double from the page's first day: a word on the other end in a few queries", async () => {
    const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100 };
    // 100 days: 1 + 2 + 4 + ... + 64 covers them in 7 ranges (one a day would take 100).
    assert.deepEqual(await dayRanges({ channel: 'pajlada' }, 'quokka', all), { found: [lastDay.event_id], ranges: 7 });
    assert.deepEqual(await dayRanges({ channel: 'pajlada' }, 'zyzzyva', { ...all, reverse: true }), {
      found: [firstDay.event_id],
      ranges: 7,
    });
    // A common word fills the page from the first day's range alone.
    assert.equal((await dayRanges({ channel: 'pajlada' }, 'kappa', { ...all, limit: 1 })).ranges, 1);
    // A user's search too, from the user's own first day.
    assert.deepEqual(await dayRanges({ channel: 'pajlada', user: { login: 'user3' } }, 'quokka', all), {
      found: [lastDay.event_id],
      ranges: 7,
    });
  });

  it('jumps to the days the matches so far need: a word spread over the days in 2 ranges, each once though stored twice', async () => {
    const all = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100 };
    const wombats = spread.map((e) => e.event_id);
    const [copies] = await sink.query("SELECT count() AS n FROM chat_event_rows WHERE text LIKE '%wombat%'");
    assert.equal(Number(copies?.n), 40, 'each wombat is stored twice');
    // The first day holds 1 of the 100 asked for: the next range is (100 - 1) * 1.5 days, the rest of the 100 (doubling: 7).
    assert.deepEqual(await dayRanges({ channel: 'pajlada' }, 'wombat', all), { found: wombats, ranges: 2 });
    assert.deepEqual(await dayRanges({ channel: 'pajlada', user: { login: 'user3' } }, 'wombat', { ...all, reverse: true }), {
      found: [...wombats].reverse(),
      // From day 99 back: 1 and 2 days without one, then 4 with day 95's, then the rest at once.
      ranges: 4,
    });
    // A page cut inside a range of copies reads the range again for more: 3 events, not 2 events and a copy.
    assert.deepEqual(await ids({ channel: 'pajlada' }, 'wombat', { ...all, limit: 3 }), wombats.slice(0, 3));
    assert.deepEqual(await ids({ channel: 'pajlada' }, 'wombat', { ...all, limit: 4, offset: 3 }), wombats.slice(3, 7));
  });
});
