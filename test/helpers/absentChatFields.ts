import type { ChatEvent } from '../../core/events/chatEvent.ts';

type OptionalFields = Omit<ChatEvent, 'event_id' | 'kind' | 'channel' | 'sent_at' | 'received_at' | 'tags' | 'raw'>;

/**
 * Every ChatEvent field that an event may lack, with the contract's value for "absent" (null,
 * false, 0, empty). Test factories spread their own fields over it; a fresh object each call, so
 * a factory may mutate its badges and params.
 */
export function absentChatFields(): OptionalFields {
  return {
    v: 1,
    subtype: null,
    channel_id: null,
    user_login: null,
    user_id: null,
    display_name: null,
    target_user_login: null,
    target_user_id: null,
    target_message_id: null,
    text: null,
    is_action: false,
    system_text: null,
    bits: 0,
    ban_duration_s: null,
    badges: [],
    color: null,
    source_channel_id: null,
    source_event_id: null,
    params: {},
  };
}
