import { ChatEventKind } from '../../events/chatEvent.ts';
import { baseEvent, channelParam, checkedLogin, stringTag, trailingParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

/** CLEARMSG → `delete`: one message removed; its text is kept exactly as sent (no /me unwrapping). */
export const clearmsg: Normalizer = (message, receivedAt) => {
  const event = baseEvent(message, ChatEventKind.Delete, channelParam(message), receivedAt);
  event.user_login = checkedLogin(stringTag(message.tags, 'login'), 'login');
  event.target_message_id = stringTag(message.tags, 'target-msg-id');
  event.text = trailingParam(message);
  return event;
};
