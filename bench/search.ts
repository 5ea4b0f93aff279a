import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSearchQuery } from '../core/read/searchQuery.ts';
import { SqliteChatReader } from '../core/read/sqliteChatReader.ts';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { SQLITE_MIGRATIONS } from '../core/sinks/sqlite/sqliteMigrations.ts';
import { SqliteSink } from '../core/sinks/sqlite/sqliteSink.ts';
import { searchCorpus } from '../test/helpers/searchCorpus.ts';
import { chdbSearchFigures } from './chdbSearch.ts';
import { sqliteSearchFile } from './sqliteSearchFile.ts';

/** Common and rare words, phrases, in a channel and for one user: what a reader types. */
const QUERIES = [
  'kappa',
  'pogchamp kekw',
  '"the game"',
  '"of the" stream',
  'pokemon',
  "don't",
  'never again wp',
  'xqcl',
  '1v1',
  'hello world',
];

/**
 * Stored events of the chdb run. 10,000,000 (100,000 seeded) take ~11 minutes to build on the
 * 2-core shared machine: page p50 31-38 ms, p95 181-276 ms with the query condition cache off (the
 * view-and-FINAL search before it: p50 250 ms, p95 1,890 ms; docs/read-api.md, "Search").
 */
const CHDB_EVENTS = 1_000_000;

/**
 * Stored events of the large SQLite run (bench/sqliteSearchFile.ts: 100,000 seeded, copied
 * inside the database). SEARCH_SQLITE_FILE names a file to build once and reuse across runs.
 */
const SQLITE_EVENTS = 10_000_000;

/** Bytes of the file once its free pages are gone. */
function fileBytes(path: string): number {
  const db = openSqliteDatabase(path);
  db.exec('VACUUM');
  const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  db.close();
  return bytes;
}

async function store(path: string, events: ReturnType<typeof searchCorpus>['events'], version: number): Promise<void> {
  const sink = new SqliteSink(
    { sink: 'sqlite', path },
    SQLITE_MIGRATIONS.filter((m) => m.version <= version),
  );
  for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
  await sink.close();
}

/** Reader times of QUERIES on the file at `path`, in the channel and for one user: three rounds after a warm-up. */
async function sqlitePercentiles(path: string, limit: number | undefined): Promise<{ p50: number; p95: number }> {
  const reader = new SqliteChatReader(path);
  const run = async (q: string) => {
    const query = parseSearchQuery(q);
    const times: number[] = [];
    for (const scope of [{ channel: 'pajlada' }, { channel: 'pajlada', user: { login: 'user7' } }]) {
      const start = performance.now();
      let n = 0;
      for await (const _ of reader.search(scope, query, { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit })) n++;
      times.push(performance.now() - start);
      if (n === 0 && q !== 'hello world') throw new Error(`no match for ${q}`);
    }
    return times;
  };
  try {
    for (const q of QUERIES) await run(q);
    const times: number[] = [];
    for (let round = 0; round < 3; round++) for (const q of QUERIES) times.push(...(await run(q)));
    times.sort((a, b) => a - b);
    const at = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
    return { p50: at(0.5), p95: at(0.95) };
  } finally {
    await reader.close();
  }
}

/**
 * The SQLite search index (core/sinks/sqlite/chatEventText.ts) on N seeded chat lines
 * (test/helpers/searchCorpus.ts: 1-12 words each, two channels, 20 users):
 *   search.sqlite.index_bytes_per_event  file bytes with the index minus without, per event
 *   search.sqlite.page_ms_p50 / _p95     the first 100 matches of a query (reader, to the last event)
 *   search.sqlite.all_ms_p95             every match of the query
 *   search.sqlite.large_page_ms_p95      the first 100 matches over SQLITE_EVENTS stored events
 *                                        (quick: 200,000), the read API's api.search_ms_p95 on SQLite;
 *   search.sqlite.large_build_s          seconds to build that file (0: SEARCH_SQLITE_FILE reused)
 * Each query runs in the channel and for one user; times over three rounds after a warm-up.
 * Then the same queries on chdb (chdbSearch.ts), over CHDB_EVENTS stored events (quick: 200,000):
 *   search.chdb.page_ms_p95          the read API's api.search_ms_p95 on ClickHouse
 */
export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const count = options.quick ? 20_000 : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
  try {
    const { events } = searchCorpus(count, 7);
    const plain = join(dir, 'plain.db');
    const indexed = join(dir, 'indexed.db');
    await store(plain, events, 3);
    await store(indexed, events, Number.MAX_SAFE_INTEGER);
    const indexBytes = fileBytes(indexed) - fileBytes(plain);

    const page = await sqlitePercentiles(indexed, 100);
    const all = await sqlitePercentiles(indexed, undefined);
    const largeEvents = options.quick ? 200_000 : SQLITE_EVENTS;
    const largePath = process.env.SEARCH_SQLITE_FILE ?? join(dir, 'large.db');
    const large = await sqliteSearchFile(largePath, { seeded: Math.min(count, largeEvents), total: largeEvents });
    const largePage = await sqlitePercentiles(largePath, 100);
    const chdbTotal = options.quick ? 200_000 : CHDB_EVENTS;
    const chdb = await chdbSearchFigures(dir, { seeded: Math.min(count, chdbTotal), total: chdbTotal, queries: QUERIES, rounds: 3 });
    return {
      ...chdb,
      'search.sqlite.events': count,
      'search.sqlite.index_bytes_per_event': Math.round(indexBytes / count),
      'search.sqlite.page_ms_p50': page.p50,
      'search.sqlite.page_ms_p95': page.p95,
      'search.sqlite.all_ms_p50': all.p50,
      'search.sqlite.all_ms_p95': all.p95,
      'search.sqlite.large_events': largeEvents,
      'search.sqlite.large_build_s': large.buildS,
      'search.sqlite.large_page_ms_p50': largePage.p50,
      'search.sqlite.large_page_ms_p95': largePage.p95,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
