import type { StoredEvent } from '../../../core/read/types.ts';
import { friendlyText } from './friendlyText.ts';

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Go's layout `2006-01-2 15:04:05` in UTC, as justlog writes it: the day is not zero-padded. */
export function justlogTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `[2024-01-22 12:00:00] #channel user: message` for a chat message, `[…] #channel sentence` for the rest. */
export function textLine(e: StoredEvent): string {
  const head = `[${justlogTimestamp(e.sent_at)}] #${e.channel} `;
  if (e.kind === 'message' && e.user_login !== null) return `${head}${e.user_login}: ${e.text ?? ''}`;
  return head + friendlyText(e);
}
