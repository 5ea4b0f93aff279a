import type { ChatEvent } from '../../events/chatEvent.ts';
import { lineParts } from '../../events/lineParts.ts';
import { decodeEventId, encodeEventId } from '../../events/eventKey.ts';
import { derivedTags, tagsOfTagSection } from '../../events/tagSection.ts';
import { clickhouseTime } from './clickhouseTime.ts';

/**
 * How one ChatEvent is stored in `chat_event_rows` (clickhouseLayout.ts). Every value takes the
 * smallest ClickHouse form that gives the contract's value back exactly:
 *
 * - event_id as `event_uuid`, a UUID (16 bytes), and `event_id_form`: '' when the id is that UUID's text,
 *   'h:' when it is `h:` + the UUID's 32 hex digits (a hashed id), and otherwise `=` + the id
 *   (the `=` keeps an id that is literally `h:` apart from the hashed form; the UUID is then the first 16 bytes of its MD5, so copies of one id still share a sorting
 *   key and the ReplacingMergeTree collapses them).
 * - received_at as its distance from sent_at in ms (Int64: signed, since a clock may run behind; a replayed
 *   old line is received years after it was sent; T64 keeps only the bits a block uses).
 * - the raw line as line parts (core/events/lineTemplate.ts): template, extras, residual.
 * - tags and params are rebuilt by the view from the raw line's tag section (tagsOfTagSection
 *   is that rebuild in TypeScript); they are stored, with their bit in `own`, only for an event
 *   whose tags or params are not what the view would rebuild (an event not made by the
 *   normalizer, or a line with a repeated tag key).
 */
export interface ClickHouseChatRow {
  readonly event_uuid: string;
  readonly event_id_form: string;
  readonly kind: string;
  readonly subtype: string | null;
  readonly channel: string;
  readonly channel_id: string | null;
  readonly user_login: string | null;
  readonly user_id: string | null;
  readonly display_name: string | null;
  readonly target_user_login: string | null;
  readonly target_user_id: string | null;
  readonly target_message_id: string | null;
  readonly text: string | null;
  readonly is_action: boolean;
  readonly system_text: string | null;
  readonly bits: number;
  readonly ban_duration_s: number | null;
  readonly badges: readonly string[];
  readonly color: string | null;
  /** DateTime64(3, 'UTC') text (clickhouseTime). */
  readonly sent_at: string;
  readonly received_delay_ms: number;
  readonly source_channel_id: string | null;
  readonly source_event_id: string | null;
  readonly template: string | null;
  readonly extras: string;
  readonly residual: string | null;
  readonly own: number;
  readonly own_tags: Readonly<Record<string, string>>;
  readonly own_params: Readonly<Record<string, string>>;
}

/** Bits of `own`: which of tags and params the row stores instead of the view rebuilding them. */
export const OWN_TAGS = 1;
export const OWN_PARAMS = 2;

export { decodeEventId, encodeEventId, tagsOfTagSection };

export function clickhouseChatRow(e: ChatEvent): ClickHouseChatRow {
  const parts = lineParts(e);
  const id = encodeEventId(e.event_id);
  const { tags: tagsDerived, params: paramsDerived } = derivedTags(e);
  return {
    event_uuid: id.uuid,
    event_id_form: id.form,
    kind: e.kind,
    subtype: e.subtype,
    channel: e.channel,
    channel_id: e.channel_id,
    user_login: e.user_login,
    user_id: e.user_id,
    display_name: e.display_name,
    target_user_login: e.target_user_login,
    target_user_id: e.target_user_id,
    target_message_id: e.target_message_id,
    text: e.text,
    is_action: e.is_action,
    system_text: e.system_text,
    bits: e.bits,
    ban_duration_s: e.ban_duration_s,
    badges: e.badges,
    color: e.color,
    sent_at: clickhouseTime(e.sent_at),
    received_delay_ms: e.received_at - e.sent_at,
    source_channel_id: e.source_channel_id,
    source_event_id: e.source_event_id,
    template: parts.template,
    extras: parts.extras,
    residual: parts.residual,
    own: (tagsDerived ? 0 : OWN_TAGS) | (paramsDerived ? 0 : OWN_PARAMS),
    own_tags: tagsDerived ? {} : e.tags,
    own_params: paramsDerived ? {} : e.params,
  };
}
