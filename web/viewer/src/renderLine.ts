import { badgesOf, emoteUrl, LineKind, nameColour, readableColour, typedText, withEmotes } from './chatLine.ts';
import type { LogMessage } from './types.ts';

export interface LineView {
  readonly message: LogMessage;
  readonly kind: LineKind;
  /** `deleted`, `timed out 600s`, `banned` when a moderator removed it. */
  readonly mark: string | undefined;
  readonly theme: 'dark' | 'light';
  readonly permalink: string;
  readonly highlighted: boolean;
}

/** Rough heights before a row is measured: a one-line message, a two-line card. */
export const estimateHeight = (kind: LineKind) => (kind === LineKind.Card ? 58 : 24);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `12:00:05` in UTC, the zone of the API's days. */
function clock(timestamp: string): string {
  return timestamp.slice(11, 19);
}

function textWithEmotes(text: string, emotes: string | undefined, theme: 'dark' | 'light'): HTMLElement {
  const body = el('span', 'text');
  for (const piece of withEmotes(text, emotes)) {
    if ('text' in piece) {
      body.append(piece.text);
      continue;
    }
    const img = el('img', 'emote');
    img.src = emoteUrl(piece.emoteId, theme);
    img.alt = piece.name;
    img.title = piece.name;
    img.decoding = 'async';
    body.append(img);
  }
  return body;
}

function sender(m: LogMessage, theme: 'dark' | 'light'): HTMLElement[] {
  const parts: HTMLElement[] = [];
  const badges = badgesOf(m.tags);
  if (badges.length > 0) {
    const chips = el('span', 'badges');
    for (const b of badges) chips.append(el('span', `badge badge-${b.name}`, b.label));
    parts.push(chips);
  }
  const name = el('span', 'name', m.displayName || m.username);
  if (m.displayName && m.displayName.toLowerCase() !== m.username) name.title = m.username;
  name.style.color = readableColour(nameColour(m.tags, m.username), theme);
  parts.push(name);
  return parts;
}

/** What Twitch prints for a removal or a room event, in its words. */
function sentence(m: LogMessage, kind: LineKind): string {
  switch (kind) {
    case LineKind.Timeout:
      return `${m.username} has been timed out for ${m.tags['ban-duration']} seconds.`;
    case LineKind.Ban:
      return `${m.username} has been permanently banned.`;
    case LineKind.Clear:
      return 'Chat was cleared by a moderator.';
    case LineKind.Delete:
      return `A message from ${m.username} was deleted: ${m.text.replace(/^.*?'s message has been deleted: /, '')}`;
    default:
      return m.text;
  }
}

/** A card's family, for its accent: subs, gifts, raids, announcements, the rest. */
function cardFamily(msgId: string): string {
  if (/gift/.test(msgId)) return 'gift';
  if (/sub|upgrade/.test(msgId)) return 'sub';
  if (msgId === 'raid' || msgId === 'unraid') return 'raid';
  if (msgId === 'announcement') return 'announcement';
  return 'other';
}

/** One log line as Twitch shows it: badges, coloured name, emotes, /me in the name colour, cards, marks. */
export function renderLine(view: LineView): HTMLElement {
  const { message: m, kind } = view;
  const row = el('div', `line k-${kind}`);
  row.dataset.id = m.id;
  if (view.highlighted) row.classList.add('highlighted');
  const time = el('a', 'time', clock(m.timestamp));
  time.href = view.permalink;
  time.title = `${m.timestamp} (permalink)`;

  if (kind === LineKind.Message || kind === LineKind.Action) {
    row.append(time, ...sender(m, view.theme));
    const text = textWithEmotes(typedText(m, kind), m.tags.emotes, view.theme);
    // Twitch writes a /me as `Name text` in the name's colour, a message as `Name: text`.
    if (kind === LineKind.Action) {
      text.style.color = readableColour(nameColour(m.tags, m.username), view.theme);
      row.append(' ');
    } else row.append(el('span', 'colon', ': '));
    row.append(text);
    if (view.mark !== undefined) {
      row.classList.add('removed');
      row.append(el('span', 'mark', view.mark));
    }
    return row;
  }

  if (kind === LineKind.Card) {
    const msgId = m.tags['msg-id'] ?? '';
    row.classList.add(`card-${cardFamily(msgId)}`);
    row.dataset.msgId = msgId;
    const head = el('div', 'card-head');
    head.append(time, el('span', 'system', m.tags['system-msg'] ?? (msgId === 'announcement' ? 'Announcement' : m.text)));
    row.append(head);
    const typed = typedText(m, kind);
    if (typed !== '') {
      const body = el('div', 'card-body');
      body.append(...sender(m, view.theme), el('span', 'colon', ': '), textWithEmotes(typed, m.tags.emotes, view.theme));
      row.append(body);
    }
    return row;
  }

  row.append(time, el('span', 'text', sentence(m, kind)));
  return row;
}
