import { COLUMN_MARK, EXTRA_SEPARATOR, LINE_COLUMNS, type LineColumn } from '../../events/lineTemplate.ts';

/**
 * The SQL that rebuilds a row's raw line, tags and params in the chat_events view (format:
 * core/events/lineTemplate.ts; the row encoding: clickhouseChatRow.ts). Pure string functions,
 * no lambdas that capture row values: a lambda over an array replicates every captured column
 * once per element, which costs more than a replaceAll over the whole line.
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

/** The raw line: the residual, or the template with its extras interleaved and its column slots filled. */
export function rawSql(eventIdSql: string): string {
  const template = "ifNull(template, '')";
  const pieces = `splitByChar(${sqlString(EXTRA_SEPARATOR)}, ${template})`;
  const extras = `arrayResize(splitByChar(${sqlString(EXTRA_SEPARATOR)}, extras), length(${pieces}), '')`;
  let line = `arrayStringConcat(arrayMap((p, e) -> concat(p, e), ${pieces}, ${extras}))`;
  LINE_COLUMNS.forEach((column, index) => {
    const value = slotSql(column, eventIdSql);
    line = `replaceAll(${line}, ${sqlString(COLUMN_MARK + String.fromCharCode(0x61 + index))}, ${value})`;
    line = `replaceAll(${line}, ${sqlString(COLUMN_MARK + String.fromCharCode(0x41 + index))}, ${escapeSql(value)})`;
  });
  return `ifNull(residual, ${line})`;
}

/** The tags the line's tag section gives (tagsOfTagSection in clickhouseChatRow.ts is the same in TypeScript). */
export function lineTagsSql(rawExpr: string): string {
  const section = `if(startsWith(${rawExpr}, '@') AND position(${rawExpr}, ' ') > 0, substring(${rawExpr}, 2, position(${rawExpr}, ' ') - 2), '')`;
  const entries = `arrayFilter(x -> x != '', splitByChar(';', ${section}))`;
  const keys = `arrayMap(x -> if(position(x, '=') = 0, x, substring(x, 1, position(x, '=') - 1)), ${entries})`;
  const values = `arrayMap(x -> if(position(x, '=') = 0, '', ${unescapeSql("substring(x, position(x, '=') + 1)")}), ${entries})`;
  return `mapFromArrays(${keys}, ${values})`;
}

/** The msg-param-* tags without their prefix (paramsOfTags). */
export function paramsOfTagsSql(tagsExpr: string): string {
  return `mapApply((k, v) -> (substring(k, 11), v), mapFilter((k, v) -> startsWith(k, 'msg-param-'), ${tagsExpr}))`;
}
