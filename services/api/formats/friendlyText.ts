import type { StoredEvent } from '../../../core/read/types.ts';

const ROOM_SETTINGS = ['emote-only', 'followers-only', 'r9k', 'slow', 'subs-only'] as const;

/**
 * An event as one human sentence, without time and channel: the `text` of the JSON formats and the
 * tail of a text line. Message, usernotice, ban, timeout and clearchat use rustlog's wording
 * (`user_friendly_text`); deletions, notices and room states, which neither archive shows, follow
 * the same shape (docs/read-api.md).
 */
export function friendlyText(e: StoredEvent): string {
  switch (e.kind) {
    case 'message':
    case 'notice':
      return e.text ?? '';
    case 'usernotice':
      if (e.system_text !== null && e.text !== null) return `${e.system_text} ${e.text}`;
      return e.system_text ?? e.text ?? '';
    case 'ban':
      return `${e.target_user_login ?? ''} has been banned`;
    case 'timeout':
      return `${e.target_user_login ?? ''} has been timed out for ${e.ban_duration_s ?? 0} seconds`;
    case 'clearchat':
      return 'Chat has been cleared';
    case 'delete':
      return `${e.user_login ?? ''}'s message has been deleted: ${e.text ?? ''}`;
    case 'roomstate':
      return `Room state: ${ROOM_SETTINGS.filter((k) => k in e.tags)
        .map((k) => `${k}=${e.tags[k]}`)
        .join(', ')}`;
  }
}
