import { ChatEventKind } from '../../events/chatEvent.ts';
import { IrcParseError } from '../../errors.ts';
import { baseEvent, channelParam, checkedLogin, prefixNick, stringTag, trailingParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

const ACTION_START = '\u0001ACTION';

/** PRIVMSG → `message`: chat text (a `/me` CTCP ACTION unwrapped), cheers, replies, Shared Chat mirrors. */
export const privmsg: Normalizer = (message, receivedAt) => {
  const channel = channelParam(message);
  const login = checkedLogin(prefixNick(message.prefix), 'sender login');
  if (login === null) throw new IrcParseError('PRIVMSG without a sender');
  const event = baseEvent(message, ChatEventKind.Message, channel, receivedAt);
  event.subtype = stringTag(message.tags, 'msg-id');
  event.user_login = login;
  event.target_message_id = stringTag(message.tags, 'reply-parent-msg-id');
  const text = trailingParam(message);
  if (text !== null && text.startsWith(ACTION_START) && isActionBoundary(text.charCodeAt(ACTION_START.length))) {
    event.is_action = true;
    const bodyEnd = text.charCodeAt(text.length - 1) === 0x01 && text.length > ACTION_START.length ? text.length - 1 : text.length;
    event.text = text.slice(Math.min(ACTION_START.length + 1, bodyEnd), bodyEnd);
  } else {
    event.text = text;
  }
  return event;
};

/** `\x01ACTION` must be followed by a space, the closing `\x01`, or the end of the text. */
function isActionBoundary(code: number): boolean {
  return code === 0x20 || code === 0x01 || Number.isNaN(code);
}
