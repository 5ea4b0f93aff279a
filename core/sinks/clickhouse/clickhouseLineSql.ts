import { COLUMN_MARK, EXTRA_SEPARATOR, LINE_COLUMNS, type LineColumn } from '../../events/lineTemplate.ts';

/**
 * The SQL that rebuilds a row's raw line, tags and params in the chat_events view (format:
 * core/events/lineTemplate.ts; the row encoding: clickhouseChatRow.ts). Pure string functions,
 */

/** A ClickHouse string literal of any text: backslash, quote and control bytes escaped. */
export function sqlString(text: string): string {
  let out = "'";
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === "'") out += '\\' + ch;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + "'";
}

const replaceAll = (expr: string, from: string, to: string) => `replaceAll(${expr}, ${sqlString(from)}, ${sqlString(to)})`;

/** escapeTagValue in SQL; skipped (one position() scan) for the values without a special character. */
function escapeSql(expr: string): string {
  let out = expr;
  for (const [from, to] of [
    ['\\', '\\\\'],
    [';', '\\:'],
    [' ', '\\s'],
    ['\r', '\\r'],
    ['\n', '\\n'],
  ] as const)
    out = replaceAll(out, from, to);
  return `if(match(${expr}, '[\\\\\\\\; \\r\\n]'), ${out}, ${expr})`;
}

/**
 * unescapeTagValue in SQL. Every run of backslashes starts at an escape, so pairing `\\` left to
 * right (replaceAll) pairs them as a left-to-right parse does; the pairs become NUL (no line
 * holds NUL: the writer stores the tags of such a line) until every other escape is resolved.
 */
export function unescapeSql(expr: string): string {
  let out = replaceAll(expr, '\\\\', '\0');
  for (const [from, to] of [
    ['\\s', ' '],
    ['\\:', ';'],
    ['\\r', '\r'],
    ['\\n', '\n'],
    ['\\', ''],
    ['\0', '\\'],
  ] as const)
    out = replaceAll(out, from, to);
  return `if(position(${expr}, '\\\\') = 0, ${expr}, ${out})`;
}

/** A LINE_COLUMNS column of a chat_event_rows row as the text a template slot stands for. */
function slotSql(column: LineColumn, eventIdSql: string): string {
  switch (column) {
    case 'event_id':
      return eventIdSql;
    case 'bits':
      return 'toString(bits)';
    case 'ban_duration_s':
      return "ifNull(toString(ban_duration_s), '')";
    case 'badges':
      return "arrayStringConcat(badges, ',')";
    case 'sent_at':
      return 'toString(toUnixTimestamp64Milli(sent_at))';
    case 'channel':
      return 'toString(channel)';
    default:
      return `ifNull(toString(${column}), '')`;
  }
}

/**
 * The raw line: the residual, or the template with its extras interleaved and its column slots
 * filled. The line is split at the slot marks; each piece after the first starts with its slot's
 * letter, which picks the value (as is, or tag-escaped) from the row's 38 slot texts. One pass:
 * a replaceAll per letter with the row's value as replacement costs ~14 ms per 100,000 rows
 * each, 38 of them ~560 ms; this ~390 ms (measured in chdb, a 100,000-event channel-day).
 */
export function rawSql(eventIdSql: string): string {
  const template = "ifNull(template, '')";
  const pieces = `splitByChar(${sqlString(EXTRA_SEPARATOR)}, ${template})`;
  const extras = `arrayResize(splitByChar(${sqlString(EXTRA_SEPARATOR)}, extras), length(${pieces}), '')`;
  const line = `arrayStringConcat(arrayMap((p, e) -> concat(p, e), ${pieces}, ${extras}))`;
  const values = LINE_COLUMNS.map((column) => slotSql(column, eventIdSql));
  const texts = `[${values.join(', ')}, ${values.map(escapeSql).join(', ')}]`;
  const slots = `arrayPopFront(splitByChar(${sqlString(COLUMN_MARK)}, ${line}))`;
  // `a`… (0x61) is text i + 1, `A`… (0x41) text 19 + i + 1.
  const index = `arrayMap(p -> if(ascii(p) >= 0x61, ascii(p) - 0x60, ascii(p) - 0x40 + ${LINE_COLUMNS.length}), ${slots})`;
  const filled = `arrayStringConcat(arrayMap((p, i) -> concat(${texts}[i], substring(p, 2)), ${slots}, ${index}))`;
  return `ifNull(residual, concat(splitByChar(${sqlString(COLUMN_MARK)}, ${line})[1], ${filled}))`;
}

/**
 * The tags the line's tag section gives (tagsOfTagSection in clickhouseChatRow.ts is the same in
 * TypeScript). The line is named once: a view's optimizer inlines it where it is used, so each
 * mention would rebuild it again (`SELECT tags` took 2.0 s for 100,000 rows with four, 0.3 s with one).
 */
export function lineTagsSql(rawExpr: string): string {
  const entries = `arrayFilter(x -> x != '', splitByChar(';', regexpExtract(${rawExpr}, '^@([^ ]*) ', 1)))`;
  const pair = `(if(position(x, '=') = 0, x, substring(x, 1, position(x, '=') - 1)), if(position(x, '=') = 0, '', ${unescapeSql("substring(x, position(x, '=') + 1)")}))`;
  return `CAST(arrayMap(x -> ${pair}, ${entries}), 'Map(String, String)')`;
}

/** The msg-param-* tags without their prefix (paramsOfTags). */
export function paramsOfTagsSql(tagsExpr: string): string {
  return `mapApply((k, v) -> (substring(k, 11), v), mapFilter((k, v) -> startsWith(k, 'msg-param-'), ${tagsExpr}))`;
}
