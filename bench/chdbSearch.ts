import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createChdbConnection } from 'chdb/connection';
import { parseSearchQuery } from '../core/read/searchQuery.ts';
import { CLICKHOUSE_READER, SqlChatReader } from '../core/read/sqlChatReader.ts';
import { ClickHouseSink } from '../core/sinks/clickhouse/clickhouseSink.ts';
import { searchCorpus } from '../test/helpers/searchCorpus.ts';

/**
 * The ClickHouse search index (core/sinks/clickhouse/clickhouseSearchIndex.ts) in chdb on `total`
 * stored chat lines: `seeded` lines of test/helpers/searchCorpus.ts written through the sink, then
 * copied inside the database (new event ids, later sent_at, same texts) up to `total`, the way a
 * long-running store holds months of the same channels. Times are the reader's, to the last
 * event, of `queries` in the channel and for one user, after a warm-up:
 *   search.chdb.page_ms_p50 / _p95   the first 100 matches (what the read API's first page costs)
 *   search.chdb.index_bytes_per_event   the skip index's compressed bytes per stored event
 */
export async function chdbSearchFigures(
  dir: string,
  options: { seeded: number; total: number; queries: readonly string[]; rounds: number },
): Promise<Record<string, number>> {
  const sink = new ClickHouseSink({
    sink: 'clickhouse',
    url: 'http://chdb.local:8123',
    connection: createChdbConnection({ path: join(dir, 'chdb') }),
  });
  try {
    const { events } = searchCorpus(options.seeded, 7);
    for (let i = 0; i < events.length; i += 10_000) await sink.write(events.slice(i, i + 10_000));
    // chdb keeps the sink's last insert_deduplication_token for the session: each copy names its own.
    await sink.query('CREATE TABLE search_bench_seed AS chat_event_rows');
    await sink.query(
      "INSERT INTO search_bench_seed SETTINGS insert_deduplication_token = 'search-bench-seed' SELECT * FROM chat_event_rows",
    );
    const copies = Math.ceil(options.total / options.seeded) - 1;
    const spanS = options.seeded + 1;
    for (let k = 1; k <= copies; k++) {
      await sink.query(
        `INSERT INTO chat_event_rows SETTINGS insert_deduplication_token = 'search-bench-copy-${k}'
         SELECT * REPLACE (generateUUIDv4() AS event_uuid, sent_at + toIntervalSecond(${k * spanS}) AS sent_at) FROM search_bench_seed`,
      );
    }
    await sink.query('DROP TABLE search_bench_seed');
    await sink.query('OPTIMIZE TABLE chat_event_rows FINAL');
    const [stored] = await sink.query('SELECT count() AS n FROM chat_event_rows');
    const [index] = await sink.query(
      "SELECT sum(secondary_indices_compressed_bytes) AS bytes FROM system.parts WHERE table = 'chat_event_rows' AND active",
    );
    const count = Number(stored?.n);

    // ClickHouse 25.3+ (chdb) remembers which granules a filter found nothing in, so the rounds'
    // repeated queries would skip them; the pinned server (24.8) has no such cache, nor has a
    // reader's first query. Off for the whole session (chdb's one session: a bench of its own).
    await sink.query('SET use_query_condition_cache = 0');
    const reader = new SqlChatReader({ name: sink.name, query: (q, p) => sink.query(q, p), close: async () => {} }, CLICKHOUSE_READER);
    const run = async (q: string) => {
      const query = parseSearchQuery(q);
      const times: number[] = [];
      for (const scope of [{ channel: 'pajlada' }, { channel: 'pajlada', user: { login: 'user7' } }]) {
        const start = performance.now();
        let n = 0;
        for await (const _ of reader.search(scope, query, { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100 })) n++;
        times.push(performance.now() - start);
        if (process.env.BENCH_DEBUG)
          process.stderr.write(
            `chdb search ${JSON.stringify(q)} ${scope.user ? 'by user7' : 'in the channel'}: ${n} in ${(performance.now() - start).toFixed(0)} ms\n`,
          );
        if (n === 0 && scope.user === undefined && q !== 'hello world') throw new Error(`no match for ${q}`);
      }
      return times;
    };
    for (const q of options.queries) await run(q);
    const times: number[] = [];
    for (let round = 0; round < options.rounds; round++) for (const q of options.queries) times.push(...(await run(q)));
    times.sort((a, b) => a - b);
    const at = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
    return {
      'search.chdb.events': count,
      'search.chdb.index_bytes_per_event': Math.round((Number(index?.bytes) / count) * 100) / 100,
      'search.chdb.page_ms_p50': at(0.5),
      'search.chdb.page_ms_p95': at(0.95),
    };
  } finally {
    await sink.close();
  }
}
