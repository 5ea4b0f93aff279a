import type { ChatEventKind } from '../../../core/events/chatEvent.ts';
import type { StoredEvent } from '../../../core/read/types.ts';
import { friendlyText } from './friendlyText.ts';

/** go-twitch-irc's MessageType numbers, which justlog and rustlog both put in `type`. */
const MESSAGE_TYPE: Record<ChatEventKind, number> = {
  message: 1,
  ban: 2,
  timeout: 2,
  clearchat: 2,
  roomstate: 3,
  usernotice: 4,
  notice: 6,
  delete: 13,
};

/** Who a line is about: the sender, or for a ban or timeout its target (justlog `createChatMessage`). */
function username(e: StoredEvent): string {
  if (e.kind === 'ban' || e.kind === 'timeout') return e.target_user_login ?? '';
  return e.user_login ?? '';
}

/** rustlog `BasicMessage` (`?jsonBasic`). */
export function basicMessage(e: StoredEvent) {
  const name = username(e);
  return {
    text: friendlyText(e),
    displayName: e.kind === 'ban' || e.kind === 'timeout' ? name : (e.display_name ?? name),
    timestamp: new Date(e.sent_at).toISOString(),
    id: e.event_id,
    tags: e.tags,
  };
}

/** justlog `chatMessage` / rustlog `FullMessage` (`?json`, `?ndjson`), with the received line as `raw`. */
export function fullMessage(e: StoredEvent) {
  const basic = basicMessage(e);
  return {
    text: basic.text,
    username: username(e),
    displayName: basic.displayName,
    channel: e.channel,
    timestamp: basic.timestamp,
    id: basic.id,
    type: MESSAGE_TYPE[e.kind],
    raw: e.raw,
    tags: e.tags,
  };
}
