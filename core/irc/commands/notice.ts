import { ChatEventKind } from '../../events/chatEvent.ts';
import { baseEvent, channelParam, stringTag, trailingParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

/** NOTICE → `notice`: channel is the target without `#`, `*` for a global notice; subtype is msg-id. */
export const notice: Normalizer = (message, receivedAt) => {
  // channelParam keeps a global notice's `*` target as is.
  const event = baseEvent(message, ChatEventKind.Notice, channelParam(message), receivedAt);
  event.subtype = stringTag(message.tags, 'msg-id');
  event.text = trailingParam(message);
  return event;
};
