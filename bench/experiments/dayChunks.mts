// Branch-only experiment (issue 16): a channel's search on the k2 table of sortKeyByUser.mts read a day range at a time, newest first, each range twice the last.
import { Session } from 'chdb';
import { clickhouseSearchMatch } from '../../core/sinks/clickhouse/clickhouseSearchIndex.ts';
const s = new Session('/tmp/chdbrun-kYgaod/chdb');
const lit = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
const rows = (sql: string) =>
  String(s.query(sql + ' SETTINGS use_query_condition_cache = 0', 'TSV'))
    .trim()
    .split('\n')
    .filter(Boolean);
const [last, first] = rows(`SELECT max(toDate(sent_at)), min(toDate(sent_at)) FROM k2 WHERE channel = 'pajlada'`)[0]!.split('\t');
const dayMs = 86_400_000;
for (const [name, words, phrases] of [
  ['of the stream', ['of', 'the', 'stream'], [['of', 'the']]],
  ['kappa', ['kappa'], []],
  ['the game', ['the', 'game'], [['the', 'game']]],
  ['never again wp', ['never', 'again', 'wp'], []],
] as const) {
  const m = clickhouseSearchMatch(words, phrases, lit);
  for (let round = 0; round < 2; round++) {
    const t = performance.now();
    let found = 0;
    let hi = Date.parse(last! + 'T00:00:00Z');
    let span = 1;
    let queries = 0;
    while (found < 100 && hi >= Date.parse(first! + 'T00:00:00Z')) {
      const lo = hi - (span - 1) * dayMs;
      const d = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      found += rows(
        `SELECT toUnixTimestamp64Milli(sent_at) FROM k2 PREWHERE channel = 'pajlada' AND toDate(sent_at) BETWEEN '${d(lo)}' AND '${d(hi)}' WHERE ${m} ORDER BY sent_at DESC LIMIT ${100 - found}`,
      ).length;
      queries++;
      hi = lo - dayMs;
      span *= 2;
    }
    console.log(`${name}: ${found} in ${(performance.now() - t).toFixed(0)} ms, ${queries} queries`);
  }
}
