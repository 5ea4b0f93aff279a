// Branch-only experiment (issue 16): the 10,000,000-event chdb search database of bench/chdbSearch.ts (path below), copied into a table ordered by (channel, toDate(sent_at), user_login, sent_at, event_uuid), and the common reads timed on both.
import { Session } from 'chdb';
import { clickhouseSearchMatch } from '../../core/sinks/clickhouse/clickhouseSearchIndex.ts';
const s = new Session('/tmp/chdbrun-kYgaod/chdb');
const q = (sql: string) => {
  const t = performance.now();
  const r = s.query(sql + ' SETTINGS use_query_condition_cache = 0', 'CSV');
  return `${(performance.now() - t).toFixed(0)} ms ${String(r).trim().split('\n').length} rows`;
};
const lit = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
const t0 = performance.now();
const ddl = String(s.query(`SHOW CREATE TABLE chat_event_rows`, 'TSVRaw'));
const k2 =
  ddl
    .replace(/CREATE TABLE \S+/, 'CREATE TABLE k2')
    .replace(/PRIMARY KEY \(channel, sent_at\)/, 'PRIMARY KEY (channel, toDate(sent_at), user_login)')
    .replace(/ORDER BY \(channel, sent_at, event_uuid\)/, 'ORDER BY (channel, toDate(sent_at), user_login, sent_at, event_uuid)') + '';
s.query(k2.includes('allow_nullable_key') ? k2 : k2.replace(/SETTINGS /, 'SETTINGS allow_nullable_key = 1, '));
s.query(`INSERT INTO k2 SELECT * FROM chat_event_rows`);
s.query(`OPTIMIZE TABLE k2 FINAL`);
console.log('built in', ((performance.now() - t0) / 1000).toFixed(0), 's');
console.log(
  String(
    s.query(
      `SELECT table, column, round(sum(column_data_compressed_bytes)/1e7, 2) FROM system.parts_columns WHERE table IN ('k2','chat_event_rows') AND active AND column IN ('sent_at','user_login','user_id','display_name','text','badges','color','event_uuid','extras','text_words_unicode') GROUP BY table, column ORDER BY column, table`,
      'TSV',
    ),
  ),
);
console.log(
  String(
    s.query(
      `SELECT table, round(sum(bytes_on_disk)/1e7, 2) FROM system.parts WHERE table IN ('k2','chat_event_rows') AND active GROUP BY table`,
      'TSV',
    ),
  ),
);
const m = clickhouseSearchMatch(['of', 'the', 'stream'], [['of', 'the']], lit);
const m2 = clickhouseSearchMatch(['the', 'game'], [['the', 'game']], lit);
const [day] = String(
  s.query(`SELECT toDate(sent_at) d FROM chat_event_rows WHERE channel='pajlada' GROUP BY d ORDER BY count() DESC LIMIT 1`, 'TSV'),
)
  .trim()
  .split('\n');
for (const t of ['chat_event_rows', 'k2'])
  for (let i = 0; i < 2; i++) {
    console.log(
      t,
      'user7 of the stream',
      q(
        `SELECT toUnixTimestamp64Milli(sent_at) FROM ${t} PREWHERE channel = 'pajlada' AND user_login = 'user7' WHERE ${m} ORDER BY sent_at DESC LIMIT 100`,
      ),
    );
    console.log(
      t,
      'user7 the game',
      q(
        `SELECT toUnixTimestamp64Milli(sent_at) FROM ${t} PREWHERE channel = 'pajlada' AND user_login = 'user7' WHERE ${m2} ORDER BY sent_at DESC LIMIT 100`,
      ),
    );
    console.log(
      t,
      'channel of the stream',
      q(`SELECT toUnixTimestamp64Milli(sent_at) FROM ${t} PREWHERE channel = 'pajlada' WHERE ${m} ORDER BY sent_at DESC LIMIT 100`),
    );
    console.log(
      t,
      'channel kappa',
      q(
        `SELECT toUnixTimestamp64Milli(sent_at) FROM ${t} PREWHERE channel = 'pajlada' WHERE ${clickhouseSearchMatch(['kappa'], [], lit)} ORDER BY sent_at DESC LIMIT 100`,
      ),
    );
    console.log(
      t,
      'channel day all columns',
      q(`SELECT * FROM ${t} WHERE channel = 'pajlada' AND toDate(sent_at) = '${day}' ORDER BY sent_at, event_uuid FORMAT Null`),
    );
    console.log(
      t,
      'channel day page 5000 at the end',
      q(
        `SELECT * FROM ${t} WHERE channel = 'pajlada' AND sent_at >= toDateTime64('${day} 20:00:00', 3, 'UTC') AND sent_at < toDateTime64('${day}', 3, 'UTC') + toIntervalDay(1) ORDER BY sent_at, event_uuid LIMIT 5000 FORMAT Null`,
      ),
    );
    console.log(
      t,
      'user7 month',
      q(
        `SELECT * FROM ${t} WHERE channel = 'pajlada' AND user_login = 'user7' AND sent_at >= toDateTime64('${day}', 3, 'UTC') AND sent_at < toDateTime64('${day}', 3, 'UTC') + toIntervalDay(30) ORDER BY sent_at, event_uuid FORMAT Null`,
      ),
    );
  }
