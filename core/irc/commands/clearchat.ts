import { ChatEventKind } from '../../events/chatEvent.ts';
import { MAX_INT32 } from '../../events/chatEvent.ts';
import { baseEvent, channelParam, checkedLogin, intTag, stringTag, trailingParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

/**
 * CLEARCHAT → `ban` (a user, no ban-duration), `timeout` (a user and ban-duration) or
 * `clearchat` (no user: the whole chat was cleared). The banned user is the target.
 */
export const clearchat: Normalizer = (message, receivedAt) => {
  const tags = message.tags;
  const target = checkedLogin(trailingParam(message), 'target user');
  const duration = intTag(tags, 'ban-duration', MAX_INT32);
  const kind = target === null ? ChatEventKind.ClearChat : duration === null ? ChatEventKind.Ban : ChatEventKind.Timeout;
  const event = baseEvent(message, kind, channelParam(message), receivedAt);
  event.user_id = null;
  event.display_name = null;
  event.target_user_login = target;
  event.target_user_id = target === null ? null : stringTag(tags, 'target-user-id');
  event.ban_duration_s = kind === ChatEventKind.Timeout ? duration : null;
  return event;
};
