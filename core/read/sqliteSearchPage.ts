import type Database from 'better-sqlite3';
import type { EventRange } from './types.ts';

/** A condition over chat_event_rows' own columns, with its parameters. */
export interface RowsWhere {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The scope searched (sqliteChatReader.ts's scopeWhere), and conditions whose rows together hold
 * every event of it, each answered from one index alone (no row read): the channel's, or a
 * user's events and the events that target them (in every channel: more than the scope, which
 * only makes the check below walk further).
 */
export interface SearchScope {
  readonly where: RowsWhere;
  readonly covers: readonly RowsWhere[];
}

/** Rowid bounds below and above every stored rowid (SQLite's are positive 64-bit integers; ours stay below 2^53). */
const NONE = Number.MIN_SAFE_INTEGER + 1;
const ALL = Number.MAX_SAFE_INTEGER - 1;

/** Rows walked at most per statement (the chunks double from the page's size up to this). */
const MAX_CHUNK = 100_000;

/** Less than 1/NEAR_END of the rowids left to walk: walk them all rather than check (sqliteSearchPage). */
const NEAR_END = 8;

/** Above this many events (offset + limit) a search reads every match in SQL's order instead (sqliteChatReader.ts). */
export const MAX_PAGE_EVENTS = 10_000;

/**
 * The rowids of a search page's events: a set that holds the first `offset + limit` matches in
 * (sent_at, event_id) order (reversed with `reverse`), and more only where sent_at ties. The
 * caller reads them back ordered and paged by SQL, so ties and ordering stay SQL's own.
 *
 * Why: `rowid IN (MATCH)` materializes every match, and at 10 million events a common word has
 * over a million (first page p95 563 ms, bench/search.ts). FTS5 instead walks its matches lazily
 * in rowid order, which is insertion order: roughly sent_at order, but not exactly (a late batch,
 * a backfill). So the walk goes in rowid order from the scope's first event in the range (from
 * the first rowid when the range starts before the scope's first event), in chunks that double,
 * collecting matches of the scope and range, and stops only when it can prove that no stored
 * event outside the rowids walked could come before the page's last one:
 *
 *   no event of the scope with sent_at in [from, bound] (bound: the page's last sent_at; the whole
 *   range while fewer matches than the page are known) has a rowid outside [lo, hi], the rowids
 *   walked.
 *
 * That check is an index range scan of the scope's events in [from, bound] (`covers`), which
 * reads the rowid from the index without touching the rows. An event found past hi means
 * walking on; one found below lo (the walk began too late) means walking from the first rowid.
 * Reversed, the same from the other end. Within the last 1/NEAR_END of the rowids the walk
 * finishes instead of checking (a rare match's page would scan the whole scope for little). The
 * caller runs this in its read transaction: one snapshot for the walk, the checks and the rows.
 * 10 million events: first page p50 4.2 ms, p95 149 ms (docs/read-api.md, "Search").
 */
export function sqliteSearchPage(
  db: Database.Database,
  match: string,
  scope: SearchScope,
  range: EventRange & { readonly limit: number },
): number[] {
  const want = (range.offset ?? 0) + range.limit;
  const desc = range.reverse === true;
  const last = desc ? 'DESC' : 'ASC';
  const where = scope.where;
  const edge = db
    .prepare(`SELECT rowid FROM chat_event_rows WHERE ${where.sql} AND sent_at >= ? AND sent_at < ? ORDER BY sent_at ${last} LIMIT 1`)
    .pluck()
    .safeIntegers(false);
  const start = edge.get(...where.params, range.fromMs, range.toMs) as number | undefined;
  if (start === undefined || want === 0) return [];
  // A range open on the side the walk starts from walks every rowid: nothing can be behind it.
  const open = start === edge.get(...where.params, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const walk = db
    .prepare(
      `SELECT r.rowid, r.sent_at FROM chat_event_text f CROSS JOIN chat_event_rows r ON r.rowid = f.rowid
       WHERE chat_event_text MATCH ? AND f.rowid ${desc ? '<' : '>'} ? AND ${where.sql} AND r.sent_at >= ? AND r.sent_at < ?
       ORDER BY f.rowid ${last} LIMIT ?`,
    )
    .raw(true)
    .safeIntegers(false);
  const outside = scope.covers.map((c) =>
    db
      .prepare(
        `SELECT rowid FROM chat_event_rows WHERE ${c.sql} AND sent_at >= ? AND sent_at <= ? AND sent_at < ? AND (rowid < ? OR rowid > ?) LIMIT 1`,
      )
      .pluck()
      .safeIntegers(false),
  );
  const missedBy = (from: number, to: number, lo: number, hi: number) => {
    if (lo === NONE && hi === ALL) return undefined;
    for (const [i, check] of outside.entries()) {
      const missed = check.get(...scope.covers[i]!.params, from, to, range.toMs, lo, hi) as number | undefined;
      if (missed !== undefined) return missed;
    }
    return undefined;
  };

  // Two subqueries: each is one b-tree edge, where min and max in one SELECT scan the table.
  const [firstRowid, lastRowid] = db
    .prepare('SELECT (SELECT min(rowid) FROM chat_event_rows), (SELECT max(rowid) FROM chat_event_rows)')
    .raw(true)
    .safeIntegers(false)
    .get() as [number, number];

  // Walked: [lo, hi], empty at first; the walk goes on past hi (before lo, reversed).
  const first = desc ? (open ? ALL : start) : open ? NONE : start;
  let [lo, hi] = desc ? [first + 1, first] : [first, first - 1];
  let found: [number, number][] = [];
  let chunk = Math.max(want, 100);
  for (;;) {
    const rows = walk.all(match, desc ? lo : hi, ...where.params, range.fromMs, range.toMs, chunk) as [number, number][];
    for (const row of rows) found.push(row);
    const end = rows.length < chunk ? (desc ? NONE : ALL) : rows[rows.length - 1]![0];
    if (desc) lo = end;
    else hi = end;
    // Near the last rowid (a rare match's page), walking the rest costs less than the check's scan of all the scope's events walked.
    const ahead = desc ? lo - firstRowid : lastRowid - hi;
    const behind = desc ? Math.min(hi, lastRowid) - lo : hi - Math.max(lo, firstRowid);
    if (ahead > 0 && ahead * NEAR_END < behind) {
      chunk = ALL;
      continue;
    }
    // Earliest first (latest first, reversed); the page's last one bounds what could still come before it.
    found.sort(desc ? (a, b) => b[1] - a[1] : (a, b) => a[1] - b[1]);
    const full = found.length >= want;
    const bound = full ? found[want - 1]![1] : undefined;
    if (bound !== undefined) found = found.filter(([, sentAt]) => (desc ? sentAt >= bound : sentAt <= bound));
    const [from, to] = desc ? [bound ?? range.fromMs, range.toMs] : [range.fromMs, bound ?? range.toMs];
    const missed = missedBy(from, to, lo, hi);
    if (missed === undefined) return found.map(([rowid]) => rowid);
    // A scope event behind where the walk began: walk the whole rowid range instead.
    if (desc ? missed > hi : missed < lo) {
      found = [];
      [lo, hi] = desc ? [ALL + 1, ALL] : [NONE, NONE - 1];
    }
    chunk = Math.min(chunk * 2, MAX_CHUNK);
  }
}
