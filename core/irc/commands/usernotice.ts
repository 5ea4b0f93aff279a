import { ChatEventKind } from '../../events/chatEvent.ts';
import { baseEvent, channelParam, checkedLogin, stringTag, trailingParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

/**
 * USERNOTICE → `usernotice`: subs, resubs, gifts, raids, rituals, announcements, milestones,
 * pay-forwards, charity and any msg-id Twitch adds later (its msg-param-* tags land in params).
 * A Shared Chat `sharedchatnotice` is unwrapped: its subtype is the `source-msg-id`.
 */
export const usernotice: Normalizer = (message, receivedAt) => {
  const tags = message.tags;
  const event = baseEvent(message, ChatEventKind.UserNotice, channelParam(message), receivedAt);
  const msgId = stringTag(tags, 'msg-id');
  event.subtype = msgId === 'sharedchatnotice' ? (stringTag(tags, 'source-msg-id') ?? msgId) : msgId;
  event.user_login = checkedLogin(stringTag(tags, 'login'), 'login');
  event.target_user_login = stringTag(tags, 'msg-param-recipient-user-name') ?? stringTag(tags, 'msg-param-recipient-name');
  event.target_user_id = stringTag(tags, 'msg-param-recipient-id');
  event.text = trailingParam(message);
  return event;
};
