import type { ChatEvent, ChatEventKind } from '../../core/events/chatEvent.ts';
import { absentChatFields } from './absentChatFields.ts';
import { seededRandom } from './seededRandom.ts';
import type { StreamSnapshot } from '../../core/events/streamSnapshot.ts';

/**
 * A fast, seeded factory of realistic ChatEvents of every kind (and StreamSnapshots), with
 * hostile text mixed in: quotes, backslashes, SQL, control characters, emoji, 500-char lines,
 * COPY/CSV markers. No NUL: the contract rejects lines with NUL bytes.
 */
export const HOSTILE_TEXTS = [
  `Robert'); DROP TABLE chat_events; --`,
  `"double" and 'single' quotes, \`backticks\``,
  'back\\slash \\n not a newline \\\\ \\',
  'tab\tcarriage\rreturn\nnewline',
  'control \u0001\u0002\u0007\u001b[31mred\u001b[0m \u007f \u0085',
  'emoji 🐸 PogChamp 👍🏽 family 👨‍👩‍👧 flags 🇺🇦🇯🇵 zwj‍',
  '\\N',
  'NULL',
  '',
  ' leading and trailing spaces ',
  '{"json": [1, 2, {"nested": "\\u0041"}]}',
  '%s %d ${injection} {{template}} $1 ? :name',
  'line\u2028separator\u2029paragraph',
  'עברית RTL \u202e reversed',
  'x'.repeat(500),
  '🐸'.repeat(250),
] as const;

const WORDS = [
  'Pog',
  'KEKW',
  'LUL',
  'monkaS',
  'hello',
  'chat',
  'gg',
  'wp',
  'OMEGALUL',
  'Kappa',
  'nice',
  'play',
  'what',
  'is',
  'this',
  'streamer',
  'W',
  'L',
  '?',
  'xdd',
];
const SUB_TYPES = [
  'sub',
  'resub',
  'subgift',
  'anonsubgift',
  'submysterygift',
  'anonsubmysterygift',
  'giftpaidupgrade',
  'anongiftpaidupgrade',
  'primepaidupgrade',
];
const OTHER_NOTICES = ['raid', 'unraid', 'ritual', 'bitsbadgetier', 'announcement', 'viewermilestone', 'sharedchatnotice'];
const NOTICE_IDS = ['msg_banned', 'subs_on', 'emote_only_on', 'msg_rejected', 'slow_on', null];
const BADGES = ['subscriber/12', 'premium/1', 'moderator/1', 'vip/1', 'bits/1000', 'broadcaster/1', 'turbo/1', 'glhf-pledge/1'];
const COLORS = ['#FF0000', '#1E90FF', '#8A2BE2', '#00FF7F', null];

export interface EventFactoryOptions {
  readonly seed?: number;
  readonly channels?: number;
  readonly users?: number;
  /** First sent_at; events spread over `spanMs` (default: 20 days across a month boundary). */
  readonly startMs?: number;
  readonly spanMs?: number;
  /** Share of text fields drawn from HOSTILE_TEXTS. */
  readonly hostileShare?: number;
}

export function makeChatEvents(count: number, options: EventFactoryOptions = {}): ChatEvent[] {
  const rand = seededRandom(options.seed ?? 1);
  const channels = options.channels ?? 200;
  const users = options.users ?? 20_000;
  const start = options.startMs ?? Date.UTC(2024, 0, 22);
  const span = options.spanMs ?? 20 * 86_400_000;
  const hostile = options.hostileShare ?? 0.05;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  const text = () => {
    if (rand() < hostile) return pick(HOSTILE_TEXTS);
    const n = 1 + Math.floor(rand() * 12);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(pick(WORDS));
    return words.join(' ');
  };
  const events: ChatEvent[] = [];
  for (let i = 0; i < count; i++) {
    const channelNo = Math.floor(rand() * rand() * channels);
    const channel = `channel_${channelNo}`;
    const userNo = Math.floor(rand() * users);
    const login = `user_${userNo}`;
    const sentAt = start + Math.floor((i / count) * span) + Math.floor(rand() * 1000);
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const badges = rand() < 0.5 ? [] : [pick(BADGES), ...(rand() < 0.3 ? [pick(BADGES)] : [])];
    const color = pick(COLORS);
    const r = rand();
    const kind: ChatEventKind =
      r < 0.8
        ? 'message'
        : r < 0.88
          ? 'usernotice'
          : r < 0.89
            ? 'ban'
            : r < 0.91
              ? 'timeout'
              : r < 0.915
                ? 'clearchat'
                : r < 0.94
                  ? 'delete'
                  : r < 0.955
                    ? 'roomstate'
                    : 'notice';
    const subscriber = badges.some((b) => b.startsWith('subscriber/'));
    // The tags Twitch sends on a chat line (alphabetical, as on the wire).
    const tags: Record<string, string> = {
      'badge-info': subscriber ? `subscriber/${Math.floor(rand() * 40)}` : '',
      badges: badges.join(','),
      ...(rand() < 0.3 ? { 'client-nonce': hex(32) } : {}),
      color: color ?? '',
      'display-name': login.toUpperCase(),
      emotes: rand() < 0.2 ? `25:0-4` : '',
      'first-msg': rand() < 0.02 ? '1' : '0',
      flags: '',
      id,
      mod: badges.includes('moderator/1') ? '1' : '0',
      'returning-chatter': '0',
      'room-id': String(1000 + channelNo),
      subscriber: subscriber ? '1' : '0',
      'tmi-sent-ts': String(sentAt),
      turbo: '0',
      'user-id': String(5000 + userNo),
      'user-type': '',
    };
    const base: ChatEvent = {
      ...absentChatFields(),
      event_id: id,
      kind,
      channel,
      channel_id: String(1000 + channelNo),
      user_login: login,
      user_id: String(5000 + userNo),
      display_name: login.toUpperCase(),
      badges,
      color,
      sent_at: sentAt,
      received_at: sentAt + Math.floor(rand() * 300),
      tags,
      raw: '',
    };
    let command = 'PRIVMSG';
    switch (kind) {
      case 'message': {
        base.text = text();
        base.is_action = rand() < 0.03;
        if (rand() < 0.04) {
          base.bits = 1 + Math.floor(rand() * 5000);
          tags.bits = String(base.bits);
        }
        if (rand() < 0.05) {
          base.target_message_id = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
          tags['reply-parent-msg-id'] = base.target_message_id;
        }
        if (rand() < 0.01) {
          base.subtype = 'highlighted-message';
          tags['msg-id'] = base.subtype;
        }
        if (rand() < 0.02) {
          base.source_channel_id = String(1000 + channelNo + 1);
          base.source_event_id = `${hex(8)}-${hex(4)}`;
        }
        break;
      }
      case 'usernotice': {
        command = 'USERNOTICE';
        const sub = rand() < 0.75;
        base.subtype = sub ? pick(SUB_TYPES) : pick(OTHER_NOTICES);
        base.text = rand() < 0.4 ? text() : null;
        base.system_text = `${login} did ${base.subtype} ${rand() < hostile ? pick(HOSTILE_TEXTS) : ''}`;
        base.params = {
          months: String(Math.floor(rand() * 48)),
          'sub-plan': pick(['1000', '2000', '3000', 'Prime']),
          'sub-plan-name': `Channel Subscription (${channel})`,
        };
        if (base.subtype.includes('gift')) {
          base.target_user_login = `user_${Math.floor(rand() * users)}`;
          base.target_user_id = String(Math.floor(rand() * 1e7));
          base.params['recipient-user-name'] = base.target_user_login;
          base.params['recipient-id'] = base.target_user_id;
        }
        if (base.subtype === 'raid') base.params = { viewerCount: String(Math.floor(rand() * 5000)), displayName: login, login };
        if (base.subtype.startsWith('anon')) {
          base.user_login = 'ananonymousgifter';
          base.display_name = 'AnAnonymousGifter';
        }
        for (const [k, v] of Object.entries(base.params)) tags[`msg-param-${k}`] = v;
        tags['msg-id'] = base.subtype;
        tags['system-msg'] = base.system_text;
        break;
      }
      case 'ban':
      case 'timeout':
        command = 'CLEARCHAT';
        base.target_user_login = base.user_login;
        base.target_user_id = base.user_id;
        base.user_login = base.user_id = base.display_name = null;
        base.badges = [];
        base.color = null;
        if (kind === 'timeout') {
          base.ban_duration_s = 1 + Math.floor(rand() * 86_400);
          tags['ban-duration'] = String(base.ban_duration_s);
        }
        break;
      case 'clearchat':
        command = 'CLEARCHAT';
        base.user_login = base.user_id = base.display_name = null;
        base.badges = [];
        base.color = null;
        break;
      case 'delete':
        command = 'CLEARMSG';
        base.user_id = base.display_name = null;
        base.badges = [];
        base.color = null;
        base.text = text();
        base.target_message_id = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
        tags['target-msg-id'] = base.target_message_id;
        break;
      case 'roomstate':
      case 'notice':
        command = kind === 'roomstate' ? 'ROOMSTATE' : 'NOTICE';
        base.event_id = `h:${hex(32)}`;
        base.user_login = base.user_id = base.display_name = null;
        base.badges = [];
        base.color = null;
        if (kind === 'notice') {
          base.subtype = pick(NOTICE_IDS);
          base.text = text();
          if (rand() < 0.1) base.channel = '*';
        }
        break;
    }
    const tagText = Object.entries(tags)
      .map(
        ([k, v]) =>
          `${k}=${v.replace(/\\/g, '\\\\').replace(/;/g, '\\:').replace(/ /g, '\\s').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`,
      )
      .join(';');
    base.raw = `@${tagText} :${login}!${login}@${login}.tmi.twitch.tv ${command} #${base.channel}${base.text === null ? '' : ` :${base.text.replace(/[\r\n]/g, ' ')}`}`;
    events.push(base);
  }
  return events;
}

export function makeSnapshots(count: number, seed = 7): StreamSnapshot[] {
  const rand = seededRandom(seed);
  const out: StreamSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    const channelNo = i % 50;
    const capturedAt = Date.UTC(2024, 0, 30) + i * 60_000;
    const streamId = String(40_000_000 + channelNo);
    out.push({
      v: 1,
      kind: 'stream_snapshot',
      event_id: `s:${streamId}:${capturedAt}`,
      channel: `channel_${channelNo}`,
      channel_id: String(1000 + channelNo),
      stream_id: streamId,
      game_id: rand() < 0.9 ? String(Math.floor(rand() * 1000)) : null,
      game_name: rand() < 0.9 ? `Game "${Math.floor(rand() * 100)}" 🎮` : null,
      title: i % 7 === 0 ? HOSTILE_TEXTS[i % HOSTILE_TEXTS.length]! : `Stream title ${i}`,
      viewer_count: Math.floor(rand() * 100_000),
      language: rand() < 0.8 ? 'en' : null,
      started_at: capturedAt - Math.floor(rand() * 3_600_000),
      is_mature: rand() < 0.2,
      tags: rand() < 0.5 ? [] : ['English', 'DropsEnabled'],
      captured_at: capturedAt,
    });
  }
  return out;
}

function toMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    return Date.parse(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(value) ? value : value.replace(' ', 'T') + 'Z');
  }
  throw new Error(`not a timestamp: ${String(value)}`);
}

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
const numOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** A chat_events row from any sink, back in contract shape (for equality checks). */
export function rowToChatEvent(row: Record<string, unknown>): ChatEvent {
  return {
    ...(row as unknown as ChatEvent),
    v: 1,
    is_action: row.is_action === true || row.is_action === 1 || row.is_action === '1' || row.is_action === 'true',
    bits: Number(row.bits),
    ban_duration_s: numOrNull(row.ban_duration_s),
    badges: json(row.badges) as string[],
    params: json(row.params) as Record<string, string>,
    tags: json(row.tags) as Record<string, string>,
    sent_at: toMs(row.sent_at),
    received_at: toMs(row.received_at),
  };
}

/** A stream_snapshots row from any sink, back in contract shape. */
export function rowToSnapshot(row: Record<string, unknown>): StreamSnapshot {
  return {
    ...(row as unknown as StreamSnapshot),
    v: 1,
    kind: 'stream_snapshot',
    viewer_count: Number(row.viewer_count),
    is_mature: row.is_mature === true || row.is_mature === 1 || row.is_mature === '1',
    tags: json(row.tags) as string[],
    started_at: toMs(row.started_at),
    captured_at: toMs(row.captured_at),
  };
}

/** Expected per-view row counts for a set of chat events (the category definitions, in JS). */
export function expectedViewCounts(events: readonly ChatEvent[]): Record<string, number> {
  const subs = new Set([
    'sub',
    'resub',
    'subgift',
    'anonsubgift',
    'submysterygift',
    'anonsubmysterygift',
    'giftpaidupgrade',
    'anongiftpaidupgrade',
    'primepaidupgrade',
    'extendsub',
    'standardpayforward',
    'communitypayforward',
  ]);
  const count = (f: (e: ChatEvent) => boolean) => events.filter(f).length;
  return {
    messages: count((e) => e.kind === 'message'),
    cheers: count((e) => e.kind === 'message' && e.bits > 0),
    subscriptions: count((e) => e.kind === 'usernotice' && e.subtype !== null && subs.has(e.subtype)),
    bans: count((e) => e.kind === 'ban'),
    timeouts: count((e) => e.kind === 'timeout'),
    deleted_messages: count((e) => e.kind === 'delete'),
    raids: count((e) => e.kind === 'usernotice' && e.subtype === 'raid'),
    notices: count((e) => e.kind === 'notice'),
  };
}
