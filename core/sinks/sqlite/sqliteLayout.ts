import { categoryViewStatements } from '../categoryViews.ts';
import { KIND_SQL, RAW_ARGUMENT_COLUMNS } from './sqliteChatRow.ts';

/**
 * The compact chat event layout (issue 16). `chat_event_rows` holds each event's typed columns
 * (stored as sqliteChatRow.ts explains) and its raw line as line parts (core/events/
 * lineTemplate.ts): a template id into `line_templates`, the extras, and the raw line itself
 * only when its template cannot rebuild it. `chat_events` is a view with every ChatEvent field
 * under its contract name and contract value; raw, tags, params and badges come from functions
 * registered on each connection (sqliteFunctions.ts), so read the database through
 * openSqliteDatabase or the sink. The view is for plain SQL: code reads through readChatEvents,
 * which selects these columns and rebuilds raw, tags and params in one pass (the view's function
 * calls cost several times more per row than the rebuild itself).
 *
 * Columns without a declared type keep what the sink binds (an INTEGER id, or text such as
 * `007` that an INTEGER column would turn into 7). A rowid table: rows are appended in
 * arrival order, which is roughly sent_at order, and the three indexes are the only ones a
 * read path uses: event_id (dedupe), channel + time (a channel's day), user + time (a user's
 * month). Measured on the bench's 100,000 events: see bench/sinks.ts (storage.sqlite.*).
 */
export const CHAT_EVENT_ROW_COLUMNS = [
  'event_id',
  'kind',
  'subtype',
  'channel',
  'channel_id',
  'user_login',
  'user_id',
  'display_name',
  'target_user_login',
  'target_user_id',
  'target_message_id',
  'text',
  'is_action',
  'system_text',
  'bits',
  'ban_duration_s',
  'badges',
  'color',
  'sent_at',
  'received_delay_ms',
  'source_channel_id',
  'source_event_id',
  'template_id',
  'extras',
  'residual',
  'tags_json',
  'params_json',
] as const;

/** A 16-byte BLOB column as the lowercase UUID it encodes. */
export const UUID_TEXT = (x: string) =>
  `lower(substr(hex(${x}), 1, 8) || '-' || substr(hex(${x}), 9, 4) || '-' || substr(hex(${x}), 13, 4) || '-' || substr(hex(${x}), 17, 4) || '-' || substr(hex(${x}), 21))`;

const rawCall = `poglytics_raw(t.template, r.extras, r.residual, ${RAW_ARGUMENT_COLUMNS.map((c) => `r.${c}`).join(', ')})`;

/**
 * The row's raw line. SQLite evaluates it once per column that uses it (raw, tags, params) and
 * hands a function its arguments afresh each time; the CASE asks first whether the last line
 * rebuilt on this connection was this event's (event_id is unique and a stored event never
 * changes), so a SELECT * rebuilds each line once.
 */
const lineSql = `CASE WHEN poglytics_is_last(r.event_id) THEN poglytics_last_raw() ELSE ${rawCall} END`;

/** The view's columns (contract names and values) over `chat_event_rows r` joined with `line_templates t`. */
export const CHAT_EVENTS_COLUMNS_SQL = `
  CASE WHEN typeof(r.event_id) = 'blob' THEN ${UUID_TEXT('r.event_id')} ELSE r.event_id END AS event_id,
  1 AS v,
  ${KIND_SQL.replace('CASE kind', 'CASE r.kind')} AS kind,
  r.subtype AS subtype,
  r.channel AS channel,
  CAST(r.channel_id AS TEXT) AS channel_id,
  r.user_login AS user_login,
  CAST(r.user_id AS TEXT) AS user_id,
  r.display_name AS display_name,
  r.target_user_login AS target_user_login,
  CAST(r.target_user_id AS TEXT) AS target_user_id,
  r.target_message_id AS target_message_id,
  r.text AS text,
  r.is_action AS is_action,
  r.system_text AS system_text,
  r.bits AS bits,
  r.ban_duration_s AS ban_duration_s,
  poglytics_badges(r.badges) AS badges,
  r.color AS color,
  r.sent_at AS sent_at,
  r.sent_at + r.received_delay_ms AS received_at,
  CAST(r.source_channel_id AS TEXT) AS source_channel_id,
  r.source_event_id AS source_event_id,
  coalesce(r.params_json, poglytics_params(${lineSql})) AS params,
  coalesce(r.tags_json, poglytics_tags(${lineSql})) AS tags,
  ${lineSql} AS raw`;

export const CHAT_EVENTS_FROM_SQL = 'chat_event_rows r LEFT JOIN line_templates t ON t.id = r.template_id';

export const CHAT_EVENTS_VIEW = `CREATE VIEW chat_events AS SELECT ${CHAT_EVENTS_COLUMNS_SQL} FROM ${CHAT_EVENTS_FROM_SQL}`;

/** The statements that create the layout (empty), its view and the category views on it. */
export const CHAT_EVENT_LAYOUT_STATEMENTS: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS line_templates (id INTEGER PRIMARY KEY, template TEXT NOT NULL UNIQUE)',
  `CREATE TABLE IF NOT EXISTS chat_event_rows (
    event_id NOT NULL,
    kind INTEGER NOT NULL,
    subtype TEXT,
    channel TEXT NOT NULL,
    channel_id,
    user_login TEXT,
    user_id,
    display_name TEXT,
    target_user_login TEXT,
    target_user_id,
    target_message_id TEXT,
    text TEXT,
    is_action INTEGER NOT NULL,
    system_text TEXT,
    bits INTEGER NOT NULL,
    ban_duration_s INTEGER,
    badges TEXT,
    color TEXT,
    sent_at INTEGER NOT NULL,
    received_delay_ms INTEGER NOT NULL,
    source_channel_id,
    source_event_id TEXT,
    template_id INTEGER REFERENCES line_templates (id),
    extras TEXT,
    residual TEXT,
    tags_json TEXT,
    params_json TEXT,
    CHECK (template_id IS NOT NULL OR residual IS NOT NULL)
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS chat_event_rows_event_id ON chat_event_rows (event_id)',
  'CREATE INDEX IF NOT EXISTS chat_event_rows_channel_sent_at ON chat_event_rows (channel, sent_at)',
  'CREATE INDEX IF NOT EXISTS chat_event_rows_user_sent_at ON chat_event_rows (user_login, sent_at) WHERE user_login IS NOT NULL',
  CHAT_EVENTS_VIEW,
  ...categoryViewStatements((name, select) => `CREATE VIEW ${name} AS ${select}`),
];
