import { CHAT_EVENT_KINDS, type ChatEvent } from '../../events/chatEvent.ts';
import { compileTemplate } from '../../events/compiledTemplate.ts';
import { encodeEventId } from '../../events/eventKey.ts';
import { lineParts } from '../../events/lineParts.ts';
import { LINE_COLUMNS } from '../../events/lineTemplate.ts';
import { derivedTags } from '../../events/tagSection.ts';
import { encodeBadges } from '../badgeList.ts';

/**
 * How one ChatEvent is stored in `chat_event_rows` (postgresLayout.ts). Every value takes the
 * smallest Postgres form that gives the contract's value back exactly:
 *
 * - event_id as `event_uuid` (uuid, 16 bytes) and `event_id_form`: NULL when the id is that
 *   UUID's text, 'h:' for a hashed id, `=` + the id otherwise (core/events/eventKey.ts).
 * - kind as its index in CHAT_EVENT_KINDS (smallint); bits 0 as NULL (a null costs a bit of the
 *   null bitmap, an integer 4 bytes); received_at as its distance from sent_at in ms (bigint).
 * - badges as the tag's comma list (core/sinks/badgeList.ts), NULL when there are none.
 * - the raw line as line parts (core/events/lineTemplate.ts): `template_id` into line_templates,
 *   `extras` (NULL when none), and `residual`, the line itself only when the template cannot
 *   rebuild it.
 * - tags and params are rebuilt by the view from the line's tag section; `own_tags` and
 *   `own_params` hold them only for an event whose tags or params are not that (derivedTags).
 */
export interface PostgresChatRow {
  /** The line's template, or null when the line is stored whole in `residual`. */
  readonly template: string | null;
  /** The values in STAGING_COLUMNS order, template_id null (the writer puts the template's id there). */
  readonly values: readonly CopyValue[];
}

export type CopyValue = string | number | boolean | null;

const KIND_CODE = new Map<string, number>(CHAT_EVENT_KINDS.map((k, i) => [k, i]));

/** The staging table's columns in COPY order, with their types; sent_at is ms since the epoch there. */
export const STAGING_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['event_uuid', 'uuid'],
  ['event_id_form', 'text'],
  ['kind', 'smallint'],
  ['subtype', 'text'],
  ['channel', 'text'],
  ['channel_id', 'text'],
  ['user_login', 'text'],
  ['user_id', 'text'],
  ['display_name', 'text'],
  ['target_user_login', 'text'],
  ['target_user_id', 'text'],
  ['target_message_id', 'text'],
  ['text', 'text'],
  ['is_action', 'boolean'],
  ['system_text', 'text'],
  ['bits', 'integer'],
  ['ban_duration_s', 'integer'],
  ['badges', 'text'],
  ['color', 'text'],
  ['sent_at', 'bigint'],
  ['received_delay_ms', 'bigint'],
  ['source_channel_id', 'text'],
  ['source_event_id', 'text'],
  ['template_id', 'integer'],
  ['extras', 'text'],
  ['residual', 'text'],
  ['own_tags', 'jsonb'],
  ['own_params', 'jsonb'],
];

export function postgresChatRow(e: ChatEvent): PostgresChatRow {
  const parts = lineParts(e);
  const id = encodeEventId(e.event_id);
  const derived = derivedTags(e);
  return {
    template: parts.template,
    values: [
      id.uuid,
      id.form === '' ? null : id.form,
      KIND_CODE.get(e.kind)!,
      e.subtype,
      e.channel,
      e.channel_id,
      e.user_login,
      e.user_id,
      e.display_name,
      e.target_user_login,
      e.target_user_id,
      e.target_message_id,
      e.text,
      e.is_action,
      e.system_text,
      e.bits === 0 ? null : e.bits,
      e.ban_duration_s,
      encodeBadges(e.badges),
      e.color,
      e.sent_at,
      e.received_at - e.sent_at,
      e.source_channel_id,
      e.source_event_id,
      null,
      parts.extras === '' ? null : parts.extras,
      parts.residual,
      derived.tags ? null : JSON.stringify(e.tags),
      derived.params ? null : JSON.stringify(e.params),
    ],
  };
}

/** Where the template's id goes in PostgresChatRow.values. */
export const TEMPLATE_ID_INDEX = STAGING_COLUMNS.findIndex(([name]) => name === 'template_id');

/**
 * A template (core/events/lineTemplate.ts) as a format() string over the view's arguments:
 * `%1$s`… the LINE_COLUMNS values as is, `%20$s`… the same tag-escaped, `%39$s`… the extras in
 * order; literal `%` doubled. `escaped` has bit i set when column i is used tag-escaped (the view
 * escapes only those). format() does in one C call what a split and a replace per slot would.
 */
export function templateFormat(template: string): { format: string; escaped: number } {
  const n = LINE_COLUMNS.length;
  let format = '';
  let escaped = 0;
  for (const step of compileTemplate(template).steps) {
    if (typeof step === 'string') format += step.replaceAll('%', '%%');
    else if (step < 0) format += `%${2 * n + (-1 - step) + 1}$s`;
    else if ((step & 1) === 0) format += `%${(step >> 1) + 1}$s`;
    else {
      format += `%${n + (step >> 1) + 1}$s`;
      escaped |= 1 << (step >> 1);
    }
  }
  return { format, escaped };
}
