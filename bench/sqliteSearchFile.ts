import { existsSync, rmSync } from 'node:fs';
import { openSqliteDatabase } from '../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../core/sinks/sqlite/sqliteSink.ts';
import { searchCorpus } from '../test/helpers/searchCorpus.ts';

/**
 * A SQLite file holding `total` stored chat lines for bench/search.ts: `seeded` lines of
 * test/helpers/searchCorpus.ts written through the sink (5,000 a transaction, as the consumer
 * writes), then copied inside the database with INSERT … SELECT, one transaction a copy, until
 * `total` (the chdb bench does the same: bench/chdbSearch.ts). A copy keeps the texts, users and
 * line parts, moves sent_at past the previous copy and takes new event ids: the seed's 16-byte
 * UUIDs with the copy's number in their first 4 bytes, so ids rise with rowid and the unique
 * index, like the (channel, sent_at) and (user_login, sent_at) indexes, is appended to rather than
 * written at random. The copies go through the insert trigger of the full-text index, as every
 * writer's rows do, so the index has the segments an incrementally written store has.
 * 10,000,000 events (100,000 seeded): 120 s and a 2.4 GB file on the 2-core shared machine.
 *
 * A file already at `path` holding `total` events is reused (building one costs minutes).
 */
export async function sqliteSearchFile(path: string, options: { seeded: number; total: number }): Promise<{ buildS: number }> {
  if (existsSync(path)) {
    const db = openSqliteDatabase(path, { readonly: true });
    const stored = db.prepare('SELECT max(rowid) FROM chat_event_rows').pluck().get() as number | null;
    db.close();
    if (stored === options.total) return { buildS: 0 };
    rmSync(path, { force: true });
  }
  const start = performance.now();
  const sink = new SqliteSink({ sink: 'sqlite', path });
  const { events } = searchCorpus(options.seeded, 7);
  for (let i = 0; i < events.length; i += 5000) await sink.write(events.slice(i, i + 5000));
  await sink.close();

  const db = openSqliteDatabase(path);
  db.pragma('cache_size = -1000000');
  db.exec(`CREATE TEMP TABLE seed AS SELECT * FROM chat_event_rows ORDER BY rowid`);
  const columns = (db.prepare('PRAGMA table_info(chat_event_rows)').all() as { name: string }[]).map((c) => c.name);
  const spanMs = (options.seeded + 1) * 1000;
  const copy = db.prepare(
    `INSERT INTO chat_event_rows (${columns.join(', ')})
     SELECT ${columns
       .map((c) =>
         c === 'event_id' ? `unhex(printf('%08x', @k) || substr(hex(event_id), 9))` : c === 'sent_at' ? `sent_at + @k * ${spanMs}` : c,
       )
       .join(', ')}
     FROM temp.seed ORDER BY rowid LIMIT @n`,
  );
  for (let k = 1, stored = options.seeded; stored < options.total; k++) {
    const n = Math.min(options.seeded, options.total - stored);
    db.transaction(() => copy.run({ k, n }))();
    stored += n;
  }
  db.exec('DROP TABLE temp.seed');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { buildS: Math.round((performance.now() - start) / 1000) };
}
