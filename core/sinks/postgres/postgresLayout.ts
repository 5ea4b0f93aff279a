import { CHAT_EVENT_KINDS } from '../../events/chatEvent.ts';
import { LINE_COLUMNS, type LineColumn } from '../../events/lineTemplate.ts';
import { categoryViewStatements } from '../categoryViews.ts';

/**
 * The compact chat event layout (issue 16). `chat_event_rows` holds each event's typed columns
 * (stored as postgresChatRow.ts explains) and its raw line as line parts: a template id into
 * `line_templates`, the extras, and the raw line itself only when its template cannot rebuild it.
 * `chat_events` is a view with every ChatEvent field under its contract name and contract type
 * (timestamptz, text[] badges, jsonb tags and params), raw rebuilt byte for byte by format() over
 * the template's format string, tags and params parsed from that line by SQL functions.
 *
 * Columns are ordered so that nothing is padded: the 8-byte ones first, then uuid, the 4- and
 * 2-byte ones, the boolean, and the texts (a short text has a 1-byte header and no alignment).
 * A NULL costs one bit, so every column that is usually empty is nullable (bits 0 is NULL).
 * Three indexes, one per read path and no more: (event_uuid, sent_at) unique (dedupe; sent_at
 * because a partitioned table's unique key holds its partition key, and an event's sent_at is a
 * function of the event), (channel, sent_at) for a channel's day, (user_login, sent_at) for a
 * user's month. Monthly partitions as before: retention drops a month at a time.
 *
 * Measured with bench/sinks.ts (storage.postgres.bytes_per_event: table, partitions, indexes
 * and the template dictionary after VACUUM): 1,265 B/event for the first layout on the quick
 * run's 20,000 events, 400 for this one there and 376 on the full 100,000. The view costs per
 * row what the first layout did not (raw ~4 us a row, tags ~15: jsonb made from the rebuilt
 * line): a channel-day of 100,000 events through `SELECT *` in ~5.4 s against ~3.3 s for the first
 * layout; the read API reads chat_event_parts and rebuilds in TypeScript instead, ~1.4 s, and a
 * user's month (2,377 events) in ~37 ms against ~118 (query.postgres.*, quick run). The search
 * index (migration 4, postgresSearchIndex.ts) adds ~115 B/event: 517 on the quick run.
 */
export const ROWS = 'chat_event_rows';

/** The partition of chat_event_rows holding one calendar month (UTC). */
export function monthPartitionDdl(year: number, month: number): { name: string; sql: string } {
  const pad = (n: number) => String(n).padStart(2, '0');
  const next = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
  const name = `${ROWS}_${year}_${pad(month)}`;
  return {
    name,
    sql: `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${ROWS} FOR VALUES FROM ('${year}-${pad(month)}-01 00:00:00+00') TO ('${next.y}-${pad(next.m)}-01 00:00:00+00')`,
  };
}

const EVENT_ID_SQL = `CASE WHEN r.event_id_form IS NULL THEN r.event_uuid::text WHEN r.event_id_form = 'h:' THEN 'h:' || replace(r.event_uuid::text, '-', '') ELSE substr(r.event_id_form, 2) END`;

const BADGES_SQL = `CASE WHEN r.badges IS NULL THEN '{}'::text[] WHEN left(r.badges, 1) = '[' THEN ARRAY(SELECT jsonb_array_elements_text(r.badges::jsonb)) ELSE string_to_array(r.badges, ',') END`;

/** A LINE_COLUMNS column as the text a template slot stands for (NULL gives '' in format()). */
function slotSql(column: LineColumn): string {
  switch (column) {
    case 'event_id':
      return EVENT_ID_SQL;
    case 'bits':
      return 'coalesce(r.bits, 0)::text';
    case 'ban_duration_s':
      return 'r.ban_duration_s::text';
    case 'badges':
      return `CASE WHEN left(r.badges, 1) = '[' THEN array_to_string(ARRAY(SELECT jsonb_array_elements_text(r.badges::jsonb)), ',') ELSE r.badges END`;
    case 'sent_at':
      return '(extract(epoch FROM r.sent_at) * 1000)::bigint::text';
    default:
      return `r.${column}`;
  }
}

/** escapeTagValue in SQL. */
const escapeSql = (x: string) =>
  `replace(replace(replace(replace(replace(${x}, '\\', '\\\\'), ';', '\\:'), ' ', '\\s'), chr(13), '\\r'), chr(10), '\\n')`;

/** The raw line (postgresChatRow.ts, templateFormat): the residual, or format() of the template's format string. */
const RAW_SQL = (() => {
  const plain = LINE_COLUMNS.map(slotSql);
  const escaped = LINE_COLUMNS.map((c, i) => `CASE WHEN t.escaped & ${1 << i} <> 0 THEN ${escapeSql(slotSql(c))} END`);
  return `coalesce(r.residual, format(t.format, VARIADIC ARRAY[${[...plain, ...escaped].join(', ')}] || string_to_array(r.extras, chr(30))))`;
})();

/** The contract columns the rows hold as they are (all but params, tags and raw), over `chat_event_rows r`. */
const STORED_COLUMNS_SQL = `
  ${EVENT_ID_SQL} AS event_id,
  1::smallint AS v,
  (ARRAY[${CHAT_EVENT_KINDS.map((k) => `'${k}'`).join(', ')}])[r.kind + 1] AS kind,
  r.subtype, r.channel, r.channel_id, r.user_login, r.user_id, r.display_name,
  r.target_user_login, r.target_user_id, r.target_message_id, r.text, r.is_action, r.system_text,
  coalesce(r.bits, 0) AS bits,
  r.ban_duration_s,
  ${BADGES_SQL} AS badges,
  r.color, r.sent_at,
  r.sent_at + r.received_delay_ms * interval '1 millisecond' AS received_at,
  r.source_channel_id, r.source_event_id`;

/** The view's columns, contract names in contract order, over `chat_event_rows r LEFT JOIN line_templates t`. */
export const CHAT_EVENTS_COLUMNS_SQL = `${STORED_COLUMNS_SQL},
  coalesce(r.own_params, CASE WHEN t.has_params IS FALSE THEN '{}'::jsonb ELSE poglytics_line_params(${RAW_SQL}) END) AS params,
  coalesce(r.own_tags, poglytics_line_tags(${RAW_SQL})) AS tags,
  ${RAW_SQL} AS raw`;

/**
 * `chat_event_parts`: the stored contract columns under their names and the line parts, for a
 * reader that rebuilds raw and tags itself (core/read/postgresReader.ts), several times faster
 * than the view's SQL does. `stored_badges` is badges as stored (badgeList.ts), which the reader
 * selects instead of the text[] `badges`: the array costs a split in SQL and a parse in the
 * driver per row, for a value the reader only joins again (migration 5 added it, after the
 * other columns so that CREATE OR REPLACE keeps the view and its grants).
 */
export const CHAT_EVENT_PARTS_VIEW = `CREATE OR REPLACE VIEW chat_event_parts AS SELECT ${STORED_COLUMNS_SQL},
  r.template_id, r.extras, r.residual, r.own_tags, r.badges AS stored_badges FROM ${ROWS} r`;

export const CHAT_EVENTS_FROM_SQL = `${ROWS} r LEFT JOIN line_templates t ON t.id = r.template_id`;

/**
 * SQL twins of core/events/tagSection.ts. poglytics_line_tags: the tag section (between `@` and
 * the first space) as a jsonb object. A section of `key=value` entries with no `=` in a value, no
 * quote or control character, no backslash in a key and none in a value but in `\s`, `\:`,
 * `\r`, `\n` (every Twitch line) is JSON once `=` becomes `":"`, `;` becomes `","`, `\s` a
 * space and `\:` a `;` (`\r` and `\n` mean in JSON what they mean in a tag): four replace()
 * calls and a cast after one anchored match, many times faster than splitting it (tags of the
 * bench's events: 117 us a row split, ~10 so). Any other section is split in SQL: entries, each at its first
 * `=`, values unescaped (poglytics_unescape: split at each `\\` pair, every other escape resolved
 * in the pieces, the pieces joined with `\`). A repeated key keeps its last value either way
 * (the writer stores the tags of such a line itself). poglytics_line_params: the msg-param-*
 * tags without the prefix ('{}' at once for a line without any).
 */
const FUNCTIONS = [
  `CREATE OR REPLACE FUNCTION poglytics_unescape(v text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(v, '\\') = 0 THEN v ELSE array_to_string(ARRAY(
      SELECT regexp_replace(replace(replace(replace(replace(p, '\\s', ' '), '\\:', ';'), '\\r', chr(13)), '\\n', chr(10)), '\\\\(.?)', '\\1', 'g')
      FROM unnest(string_to_array(v, '\\\\')) WITH ORDINALITY AS u(p, i) ORDER BY i), '\\') END
  $$`,
  `CREATE OR REPLACE FUNCTION poglytics_section_tags(section text) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(CASE WHEN e = 0 THEN x ELSE left(x, e - 1) END,
                                     CASE WHEN e = 0 THEN '' ELSE poglytics_unescape(substr(x, e + 1)) END ORDER BY i), '{}'::jsonb)
    FROM (SELECT x, i, strpos(x, '=') AS e FROM unnest(string_to_array(section, ';')) WITH ORDINALITY AS u(x, i) WHERE x <> '') s
  $$`,
  `CREATE OR REPLACE FUNCTION poglytics_tag_section(raw text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN left(raw, 1) = '@' AND strpos(raw, ' ') > 0 THEN substr(split_part(raw, ' ', 1), 2) END
  $$`,
  `CREATE OR REPLACE FUNCTION poglytics_line_tags(raw text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
      section text := poglytics_tag_section(raw);
      k text := '[^;="\\\\' || chr(1) || '-' || chr(31) || ']+';
      v text := '([^;="\\\\' || chr(1) || '-' || chr(31) || ']|\\\\[s:rn])*';
    BEGIN
      IF section IS NULL THEN RETURN '{}'::jsonb; END IF;
      IF section ~ ('^' || k || '=' || v || '(;' || k || '=' || v || ')*$') THEN
        RETURN replace(replace('{"' || replace(replace(section, '=', '":"'), ';', '","') || '"}', '\\s', ' '), '\\:', ';')::jsonb;
      END IF;
      RETURN poglytics_section_tags(section);
    END
  $$`,
  `CREATE OR REPLACE FUNCTION poglytics_line_params(raw text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
      IF strpos(poglytics_tag_section(raw), 'msg-param-') IS DISTINCT FROM 0 THEN
        RETURN (SELECT coalesce(jsonb_object_agg(substr(key, 11), value), '{}'::jsonb)
                  FROM jsonb_each_text(poglytics_line_tags(raw)) WHERE left(key, 10) = 'msg-param-');
      END IF;
      RETURN '{}'::jsonb;
    END
  $$`,
];

export const CHAT_EVENTS_VIEW = `CREATE OR REPLACE VIEW chat_events AS SELECT ${CHAT_EVENTS_COLUMNS_SQL} FROM ${CHAT_EVENTS_FROM_SQL}`;

/** The statements that create the layout (empty, no partitions yet), its view and the category views on it. */
export const CHAT_EVENT_LAYOUT_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS line_templates (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    escaped integer NOT NULL,
    template text NOT NULL,
    format text NOT NULL,
    -- Whether the template's lines have msg-param-* tags (a tag key is literal in a template), so
    -- that the view skips looking for params in the others.
    has_params boolean GENERATED ALWAYS AS (strpos(template, 'msg-param-') > 0) STORED
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS line_templates_template ON line_templates (md5(template))',
  `CREATE TABLE IF NOT EXISTS ${ROWS} (
    sent_at timestamptz NOT NULL,
    received_delay_ms bigint NOT NULL,
    event_uuid uuid NOT NULL,
    template_id integer,
    bits integer,
    ban_duration_s integer,
    kind smallint NOT NULL,
    is_action boolean NOT NULL,
    channel text NOT NULL,
    channel_id text,
    user_login text,
    user_id text,
    display_name text,
    target_user_login text,
    target_user_id text,
    target_message_id text,
    text text,
    system_text text,
    subtype text,
    badges text,
    color text,
    source_channel_id text,
    source_event_id text,
    extras text,
    residual text,
    event_id_form text,
    own_tags jsonb,
    own_params jsonb,
    CHECK (template_id IS NOT NULL OR residual IS NOT NULL)
  ) PARTITION BY RANGE (sent_at)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS ${ROWS}_event_uuid ON ${ROWS} (event_uuid, sent_at)`,
  `CREATE INDEX IF NOT EXISTS ${ROWS}_channel_sent_at ON ${ROWS} (channel, sent_at)`,
  `CREATE INDEX IF NOT EXISTS ${ROWS}_user_sent_at ON ${ROWS} (user_login, sent_at) WHERE user_login IS NOT NULL`,
  ...FUNCTIONS,
  CHAT_EVENTS_VIEW,
  CHAT_EVENT_PARTS_VIEW,
  ...categoryViewStatements((name, select) => `CREATE OR REPLACE VIEW ${name} AS ${select}`),
];
