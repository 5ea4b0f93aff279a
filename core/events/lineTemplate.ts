import type { ChatEvent } from './chatEvent.ts';

/**
 * The line template format: how a sink stores a chat event's raw line as parts instead of the
 * line itself (issue 16). Every sink uses the same three parts beside its typed columns:
 *
 * - `template`: the line's skeleton, low cardinality (tag keys in order, the command, the
 *   separators, `.tmi.twitch.tv`, `\x01ACTION `), stored once in a dictionary and referenced by
 *   id. NULL when the line is stored whole in `residual`.
 * - `extras`: the values the columns do not hold (emotes, badge-info, flags, client-nonce, …),
 *   exactly as they appear in the line (still tag-escaped), in order, joined by EXTRA_SEPARATOR
 *   (\x1e). `''` when there are none (an empty value is never an extra: it is simply absent).
 * - `residual`: the raw line itself, only when the template cannot rebuild it (then the
 *   template is NULL); NULL otherwise.
 *
 * A template is literal text with two kinds of markers, neither of which can occur in a line
 * that gets a template (a line holding \x1e or \x1f is stored as residual):
 *
 * - `\x1e` (EXTRA_SEPARATOR) stands for the next extra: split the template on \x1e into n+1
 *   pieces and the extras on \x1e into n values, and interleave them:
 *   piece0 extra0 piece1 extra1 … piece_n.
 * - `\x1f` + one letter (COLUMN_MARK) stands for a column's value: lowercase `a`… = the
 *   value as is, uppercase `A`… = the value tag-escaped (`\` → `\\`, `;` → `\:`, space → `\s`,
 *   CR → `\r`, LF → `\n`, in that order). The letter is the column's index in LINE_COLUMNS
 *   (`a` = event_id, `b` = channel, …). A column's value as text: NULL → `''`, integers in
 *   decimal (sent_at in ms since the epoch), badges joined by `,`.
 *
 * The encoder guarantees that no column value substituted into a template and no extra holds
 * \x1e or \x1f, so the markers may be replaced in any order, e.g. in SQL:
 *   ClickHouse: arrayStringConcat(arrayMap((p, i) -> concat(p, E[i]), splitByChar('\x1e', t),
 *               arrayEnumerate(splitByChar('\x1e', t)))) with E = splitByChar('\x1e', extras),
 *               then replaceAll(…, '\x1fa', event_id) … for each letter used;
 *   Postgres:   the same with string_to_array + unnest WITH ORDINALITY + string_agg, or a
 *               small SQL function, then replace() per letter.
 * Every template is verified at encode time by rebuilding the line in TypeScript
 * (rebuildLine.ts); a line that does not come back byte for byte is stored as residual.
 */
export const EXTRA_SEPARATOR = '\x1e';
export const COLUMN_MARK = '\x1f';

/** The columns a template can refer to, in letter order: index 0 is `a`/`A`. Append only. */
export const LINE_COLUMNS = [
  'event_id',
  'channel',
  'channel_id',
  'user_login',
  'user_id',
  'display_name',
  'target_user_login',
  'target_user_id',
  'target_message_id',
  'text',
  'system_text',
  'bits',
  'ban_duration_s',
  'badges',
  'color',
  'sent_at',
  'subtype',
  'source_channel_id',
  'source_event_id',
] as const satisfies readonly (keyof ChatEvent)[];

export type LineColumn = (typeof LINE_COLUMNS)[number];

/** Column values as text in LINE_COLUMNS order (what a template's letters stand for). */
export type LineValues = readonly string[];

const COLUMN_INDEX = new Map<string, number>(LINE_COLUMNS.map((c, i) => [c, i]));

export function columnIndex(column: LineColumn): number {
  return COLUMN_INDEX.get(column)!;
}

/** An event's column values as a template sees them. */
export function lineValues(e: ChatEvent): string[] {
  return LINE_COLUMNS.map((c) => {
    const value = e[c];
    if (value === null) return '';
    if (Array.isArray(value)) return value.join(',');
    return String(value);
  });
}
