import type { LogMessage } from './types.ts';

export const LineKind = {
  Message: 'message',
  Action: 'action',
  Card: 'card',
  Timeout: 'timeout',
  Ban: 'ban',
  Clear: 'clear',
  Delete: 'delete',
  Notice: 'notice',
  RoomState: 'roomstate',
} as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

/** The IRC trailing parameter of a raw line (after tags, prefix and the first ` :`), or null. */
export function trailingOf(raw: string): string | null {
  let at = 0;
  if (raw.startsWith('@')) {
    at = raw.indexOf(' ') + 1;
    if (at === 0) return null;
  }
  if (raw[at] === ':') {
    const space = raw.indexOf(' ', at);
    if (space < 0) return null;
    at = space + 1;
  }
  const colon = raw.indexOf(' :', at);
  return colon < 0 ? null : raw.slice(colon + 2);
}

const ACTION = '\u0001ACTION';

/** The body of a `/me` (CTCP ACTION) trailing, or null when the text is not one. */
export function actionBody(trailing: string | null): string | null {
  if (trailing === null || !trailing.startsWith(ACTION)) return null;
  const next = trailing.charAt(ACTION.length);
  if (next !== '' && next !== ' ' && next !== '\u0001') return null;
  const end = trailing.endsWith('\u0001') && trailing.length > ACTION.length ? trailing.length - 1 : trailing.length;
  return trailing.slice(Math.min(ACTION.length + 1, end), end);
}

export function kindOf(m: LogMessage): LineKind {
  switch (m.type) {
    case 1:
      return actionBody(trailingOf(m.raw)) === null ? LineKind.Message : LineKind.Action;
    case 2:
      if (m.tags['ban-duration'] !== undefined) return LineKind.Timeout;
      return m.username === '' ? LineKind.Clear : LineKind.Ban;
    case 3:
      return LineKind.RoomState;
    case 4:
      return LineKind.Card;
    case 13:
      return LineKind.Delete;
    default:
      return LineKind.Notice;
  }
}

/** What the chatter typed: for a /me its body, for a sub or raid card the message it carried (often none). */
export function typedText(m: LogMessage, kind: LineKind): string {
  if (kind === LineKind.Action) return actionBody(trailingOf(m.raw)) ?? m.text;
  if (kind === LineKind.Card) return trailingOf(m.raw) ?? '';
  return m.text;
}

export type Piece = { readonly text: string } | { readonly emoteId: string; readonly name: string };

/**
 * Text split around its emotes. The `emotes` tag (`25:0-4,12-16/1902:6-10`) counts Unicode code
 * points, not UTF-16 units, so an emoji before an emote would shift a naive slice.
 */
export function withEmotes(text: string, emotesTag: string | undefined): Piece[] {
  if (!emotesTag) return text === '' ? [] : [{ text }];
  const chars = Array.from(text);
  const ranges: { id: string; start: number; end: number }[] = [];
  for (const group of emotesTag.split('/')) {
    const [id, positions] = group.split(':');
    if (!id || !positions) continue;
    for (const span of positions.split(',')) {
      const [start, end] = span.split('-').map(Number);
      if (start === undefined || end === undefined || !(start >= 0 && end >= start && end < chars.length)) continue;
      ranges.push({ id, start, end });
    }
  }
  ranges.sort((a, b) => a.start - b.start);
  const pieces: Piece[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start < at) continue; // overlapping ranges: a malformed tag, keep the text
    if (r.start > at) pieces.push({ text: chars.slice(at, r.start).join('') });
    pieces.push({ emoteId: r.id, name: chars.slice(r.start, r.end + 1).join('') });
    at = r.end + 1;
  }
  if (at < chars.length) pieces.push({ text: chars.slice(at).join('') });
  return pieces;
}

/** Twitch's emote CDN: the one address outside this service the page uses. */
export const emoteUrl = (id: string, theme: 'dark' | 'light') =>
  `https://static-cdn.jtvnw.net/emoticons/v2/${encodeURIComponent(id)}/default/${theme}/1.0`;

const BADGE_LABELS: Readonly<Record<string, (version: string, months: string | undefined) => string>> = {
  broadcaster: () => 'streamer',
  moderator: () => 'mod',
  vip: () => 'vip',
  staff: () => 'staff',
  partner: () => 'verified',
  subscriber: (v, months) => `sub ${months ?? v}`,
  founder: () => 'founder',
  premium: () => 'prime',
  turbo: () => 'turbo',
  bits: (v) => `bits ${v}`,
  'sub-gifter': (v) => `gifter ${v}`,
};

/** The `badges` tag as text chips (`subscriber/12` → `sub 12`, months from `badge-info` when known). */
export function badgesOf(tags: Readonly<Record<string, string>>): { readonly name: string; readonly label: string }[] {
  const info = new Map((tags['badge-info'] ?? '').split(',').map((b) => b.split('/') as [string, string | undefined]));
  return (tags.badges ?? '')
    .split(',')
    .filter((b) => b !== '')
    .map((badge) => {
      const [name = '', version = ''] = badge.split('/');
      const label = BADGE_LABELS[name]?.(version, info.get(name)) ?? name.replace(/[-_]/g, ' ');
      return { name, label };
    });
}

/** The colours Twitch gives a chatter who never chose one, picked by a stable hash of the login. */
const DEFAULT_COLOURS = [
  '#FF0000',
  '#0000FF',
  '#008000',
  '#B22222',
  '#FF7F50',
  '#9ACD32',
  '#FF4500',
  '#2E8B57',
  '#DAA520',
  '#D2691E',
  '#5F9EA0',
  '#1E90FF',
  '#FF69B4',
  '#8A2BE2',
  '#00FF7F',
];

export function nameColour(tags: Readonly<Record<string, string>>, login: string): string {
  const chosen = tags.color;
  if (chosen && /^#[0-9a-f]{6}$/i.test(chosen)) return chosen;
  let hash = 0;
  for (let i = 0; i < login.length; i++) hash = (hash * 31 + login.charCodeAt(i)) | 0;
  return DEFAULT_COLOURS[Math.abs(hash) % DEFAULT_COLOURS.length]!;
}

/** A name colour readable on the theme: dark blue on a dark page is lifted, yellow on white deepened (as Twitch does). */
export function readableColour(hex: string, theme: 'dark' | 'light'): string {
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const luminance = (0.2126 * rgb[0]! + 0.7152 * rgb[1]! + 0.0722 * rgb[2]!) / 255;
  let mix: (c: number) => number = (c) => c;
  if (theme === 'dark' && luminance < 0.35) mix = (c) => c + (255 - c) * (0.35 - luminance) * 1.6;
  else if (theme === 'light' && luminance > 0.6) mix = (c) => c * (1 - (luminance - 0.6) * 1.4);
  return `rgb(${rgb.map((c) => Math.round(Math.min(255, Math.max(0, mix(c))))).join(',')})`;
}
