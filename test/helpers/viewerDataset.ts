import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { eventOf } from './readApiFixture.ts';

/**
 * One channel-day of `count` events for the web viewer (test/e2e/viewer.test.ts, bench/viewer.ts):
 * every kind Twitch shows first (badges, a coloured name, an emote, a /me, sub, gift, raid and
 * announcement cards, a timed-out, a banned and a deleted message, a notice, a room state), then
 * chat from 5,000 chatters, some with badges and emotes; a few lines the test looks for by id.
 */
export const VIEWER_CHANNEL = 'viewerchan';
export const VIEWER_DAY = Date.UTC(2024, 1, 1);
const ROOM = '424242';

const COLOURS = ['#FF4500', '#1E90FF', '#9ACD32', '', '#DAA520', '#8A2BE2', '', '#00FF7F'];
const BADGES = ['', '', 'subscriber/12', 'moderator/1,subscriber/3', 'vip/1', '', 'bits/1000', 'premium/1'];

interface Chatter {
  readonly login: string;
  readonly display?: string;
  readonly badges?: string;
  readonly color?: string;
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/ /g, '\\s').replace(/;/g, '\\:');
const idOf = (n: number) => `00000000-0000-4000-c000-${String(n).padStart(12, '0')}`;
const userIdOf = (login: string) =>
  String(100_000 + (Array.from(login).reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7) % 900_000));

function privmsg(who: Chatter, text: string, at: number, id: string, emotes = ''): string {
  const badges = who.badges ?? '';
  const months = /subscriber\/(\d+)/.exec(badges)?.[1];
  return (
    `@badge-info=${months ? `subscriber/${months}` : ''};badges=${badges};color=${who.color ?? ''};display-name=${who.display ?? who.login};` +
    `emotes=${emotes};first-msg=0;flags=;id=${id};mod=${badges.includes('moderator') ? 1 : 0};room-id=${ROOM};subscriber=${months ? 1 : 0};` +
    `tmi-sent-ts=${at};turbo=0;user-id=${userIdOf(who.login)};user-type= :${who.login}!${who.login}@${who.login}.tmi.twitch.tv PRIVMSG #${VIEWER_CHANNEL} :${text}`
  );
}

function usernotice(
  who: Chatter,
  msgId: string,
  systemMsg: string,
  params: Record<string, string>,
  at: number,
  id: string,
  text?: string,
): string {
  const extra = Object.entries(params)
    .map(([k, v]) => `msg-param-${k}=${esc(v)}`)
    .join(';');
  return (
    `@badge-info=;badges=${who.badges ?? ''};color=${who.color ?? ''};display-name=${who.display ?? who.login};emotes=;flags=;id=${id};login=${who.login};mod=0;` +
    `msg-id=${msgId};${extra};room-id=${ROOM};subscriber=0;system-msg=${esc(systemMsg)};tmi-sent-ts=${at};user-id=${userIdOf(who.login)};user-type= ` +
    `:tmi.twitch.tv USERNOTICE #${VIEWER_CHANNEL}${text === undefined ? '' : ` :${text}`}`
  );
}

export interface ViewerDay {
  readonly events: ChatEvent[];
  /** Event ids the test looks for. */
  readonly ids: {
    readonly emote: string;
    readonly timedOut: string;
    readonly deleted: string;
    readonly banned: string;
    readonly needle: string;
    readonly permalink: string;
    readonly last: string;
  };
  readonly needleText: string;
  readonly lastText: string;
}

export function viewerDay(count: number): ViewerDay {
  const at = (i: number) => VIEWER_DAY + Math.floor((i / count) * 86_400_000);
  const streamer: Chatter = { login: 'viewerchan', display: 'ViewerChan', badges: 'broadcaster/1,subscriber/0', color: '#9146FF' };
  const mod: Chatter = { login: 'mod_mia', display: 'Mod_Mia', badges: 'moderator/1,subscriber/24', color: '#00AD03' };
  const troll: Chatter = { login: 'trolololo', color: '#1E1E8C' };
  const spammer: Chatter = { login: 'spam_bot_9000' };
  const fan: Chatter = { login: 'kappa_fan', display: 'Kappa_Fan', badges: 'subscriber/6', color: '#FF69B4' };
  const lines: string[] = [];
  const ids = {
    emote: idOf(1),
    timedOut: idOf(5),
    deleted: idOf(7),
    banned: idOf(10),
    needle: idOf(Math.floor(count * 0.4242)),
    permalink: idOf(Math.floor(count * 0.7777)),
    last: idOf(count - 1),
  };
  const needleText = 'needle in the haystack 4242';
  const lastText = 'the very last line of the day';
  // The first lines: one of every kind, in the order a moderator's day might have them.
  lines.push(`@emote-only=0;followers-only=10;r9k=0;room-id=${ROOM};slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #${VIEWER_CHANNEL}`);
  lines.push(privmsg(streamer, 'Kappa good morning chat PogChamp', at(1), ids.emote, '25:0-4/88:24-31'));
  lines.push(privmsg(fan, '\u0001ACTION waves at everyone\u0001', at(2), idOf(2)));
  lines.push(
    usernotice(
      fan,
      'resub',
      "Kappa_Fan subscribed at Tier 1. They've subscribed for 6 months!",
      { 'cumulative-months': '6', 'sub-plan': '1000' },
      at(3),
      idOf(3),
      'six months already Kappa',
    ),
  );
  lines.push(
    usernotice(
      mod,
      'subgift',
      'Mod_Mia gifted a Tier 1 sub to trolololo!',
      { 'recipient-user-name': 'trolololo', 'recipient-display-name': 'trolololo', 'sub-plan': '1000', months: '1' },
      at(4),
      idOf(4),
    ),
  );
  lines.push(privmsg(troll, 'this stream is so bad lol', at(5), ids.timedOut));
  lines.push(
    `@ban-duration=600;room-id=${ROOM};target-user-id=${userIdOf(troll.login)};tmi-sent-ts=${at(6)} :tmi.twitch.tv CLEARCHAT #${VIEWER_CHANNEL} :${troll.login}`,
  );
  lines.push(privmsg(fan, 'oops wrong chat', at(7), ids.deleted));
  lines.push(
    `@login=${fan.login};room-id=;target-msg-id=${ids.deleted};tmi-sent-ts=${at(8)} :tmi.twitch.tv CLEARMSG #${VIEWER_CHANNEL} :oops wrong chat`,
  );
  lines.push(
    usernotice(
      { login: 'raider_rex', display: 'Raider_Rex', color: '#E91916' },
      'raid',
      '1,337 raiders from Raider_Rex have joined!',
      { displayName: 'Raider_Rex', login: 'raider_rex', viewerCount: '1337' },
      at(9),
      idOf(9),
    ),
  );
  lines.push(privmsg(spammer, 'cheap viewers at example dot com', at(10), ids.banned));
  lines.push(
    `@room-id=${ROOM};target-user-id=${userIdOf(spammer.login)};tmi-sent-ts=${at(11)} :tmi.twitch.tv CLEARCHAT #${VIEWER_CHANNEL} :${spammer.login}`,
  );
  lines.push(
    usernotice(mod, 'announcement', '', { color: 'PRIMARY' }, at(12), idOf(12), 'Be nice in chat, raiders welcome!').replace(
      'system-msg=;',
      '',
    ),
  );
  lines.push(`@msg-id=followers_on :tmi.twitch.tv NOTICE #${VIEWER_CHANNEL} :This room is now in 10 minutes followers-only mode.`);
  const first = lines.length;
  for (let i = first; i < count; i++) {
    const id = idOf(i);
    if (id === ids.needle) lines.push(privmsg(fan, needleText, at(i), id));
    else if (id === ids.last) lines.push(privmsg(streamer, lastText, at(i), id));
    else {
      const n = i % 5000;
      const who: Chatter = {
        login: `chatter_${n}`,
        display: `Chatter_${n}`,
        badges: BADGES[n % BADGES.length]!,
        color: COLOURS[n % COLOURS.length]!,
      };
      const text = i % 7 === 0 ? `LUL line ${i} that is funny` : `line ${i} of the day, chatting away about the stream`;
      lines.push(privmsg(who, text, at(i), id, i % 7 === 0 ? '425618:0-2' : ''));
    }
  }
  // Lines without tmi-sent-ts (room state, notice) take their received time: the start of the day.
  const events = lines.map((raw, i) => eventOf(raw, at(i) + 5));
  return { events, ids, needleText, lastText };
}

/** Another channel on another day, so the channel list has more than one name to complete from. */
export function otherChannelEvents(): ChatEvent[] {
  const at = Date.UTC(2024, 0, 15, 12);
  const raw = privmsg({ login: 'someone' }, 'hello', at, idOf(999_999))
    .replace(`#${VIEWER_CHANNEL}`, '#otherchan')
    .replace(`room-id=${ROOM}`, 'room-id=515151');
  return [eventOf(raw, at + 5)];
}
