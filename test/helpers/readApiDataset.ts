import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { eventOf, line } from './readApiFixture.ts';

/**
 * The read API's ground truth: two channels, every event kind, events on both sides of the day
 * and month boundaries (the last ms of a day, the first of the next), a global notice.
 */
const P = { channel: 'pajlada', roomId: '11148817' };
const F = { channel: 'forsen', roomId: '22484632' };
const RANDERS = { login: 'randers', userId: '40286300' };
const JUNIOR = { login: 'jun1orrrr', userId: '29803735' };
const TETYYS = { login: 'tetyys', userId: '36175310' };

const at = (iso: string) => Date.parse(iso);
const uuid = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

export const T = {
  jan31Last: at('2024-01-31T23:59:59.500Z'),
  feb1First: at('2024-02-01T00:00:00.000Z'),
  resub: at('2024-02-01T12:00:00.000Z'),
  sub: at('2024-02-01T12:00:01.000Z'),
  timeout: at('2024-02-01T13:00:00.000Z'),
  ban: at('2024-02-01T13:00:01.000Z'),
  clear: at('2024-02-01T13:00:02.000Z'),
  clearmsg: at('2024-02-01T13:00:03.000Z'),
  notice: at('2024-02-01T13:00:04.000Z'),
  roomstate: at('2024-02-01T13:00:05.000Z'),
  feb1Last: at('2024-02-01T23:59:59.999Z'),
  feb2First: at('2024-02-02T00:00:00.000Z'),
  mar5: at('2024-03-05T10:00:00.000Z'),
  forsen: at('2024-02-01T09:30:00.000Z'),
  globalNotice: at('2024-02-01T08:00:00.000Z'),
};

/** Named events, in pajlada's sent_at order (then forsen and the global notice). */
export const E = {
  m1: eventOf(line.privmsg({ ...P, ...RANDERS, text: 'last of january', at: T.jan31Last, id: uuid(1) }), T.jan31Last + 5),
  m2: eventOf(line.privmsg({ ...P, ...JUNIOR, text: 'first of february', at: T.feb1First, id: uuid(2) }), T.feb1First + 5),
  resub: eventOf(line.resub({ ...P, ...RANDERS, text: 'Great stream 🐸', at: T.resub, id: uuid(3), months: 22 }), T.resub + 5),
  sub: eventOf(line.resub({ ...P, ...TETYYS, text: null, at: T.sub, id: uuid(4), months: 2 }), T.sub + 5),
  timeout: eventOf(line.timeout({ ...P, target: JUNIOR.login, targetId: JUNIOR.userId, seconds: 600, at: T.timeout }), T.timeout + 5),
  ban: eventOf(line.ban({ ...P, target: TETYYS.login, targetId: TETYYS.userId, at: T.ban }), T.ban + 5),
  clear: eventOf(line.clearchat({ ...P, at: T.clear }), T.clear + 5),
  clearmsg: eventOf(
    line.clearmsg({ channel: P.channel, login: RANDERS.login, targetId: uuid(3), text: 'oops; a \\s b', at: T.clearmsg }),
    T.clearmsg + 5,
  ),
  notice: eventOf(line.notice({ channel: P.channel, msgId: 'emote_only_on', text: 'This room is now in emote-only mode.' }), T.notice),
  roomstate: eventOf(line.roomstate(P), T.roomstate),
  action: eventOf(line.privmsg({ ...P, ...RANDERS, text: '\u0001ACTION waves\u0001', at: T.feb1Last, id: uuid(5) }), T.feb1Last + 5),
  m3: eventOf(line.privmsg({ ...P, ...RANDERS, text: 'first of the 2nd', at: T.feb2First, id: uuid(6) }), T.feb2First + 5),
  m4: eventOf(line.privmsg({ ...P, ...RANDERS, text: 'march', at: T.mar5, id: uuid(7) }), T.mar5 + 5),
  f1: eventOf(line.privmsg({ ...F, ...RANDERS, text: 'forsen chat', at: T.forsen, id: uuid(8) }), T.forsen + 5),
  f2: eventOf(line.privmsg({ ...F, ...JUNIOR, text: 'NaM', at: T.forsen + 1, id: uuid(9) }), T.forsen + 6),
  global: eventOf(line.notice({ channel: '*', msgId: 'msg_ratelimit', text: 'Your message was not sent.' }), T.globalNotice),
} satisfies Record<string, ChatEvent>;

export const FEB1 = [E.m2, E.resub, E.sub, E.timeout, E.ban, E.clear, E.clearmsg, E.notice, E.roomstate, E.action];
export const PAJLADA = [E.m1, ...FEB1, E.m3, E.m4];
/** Shuffled, so that order in the answers comes from the query, not from insertion. */
export const ALL_EVENTS: ChatEvent[] = [
  E.m4,
  E.f2,
  E.action,
  E.m1,
  E.clear,
  E.global,
  E.roomstate,
  E.resub,
  E.m3,
  E.ban,
  E.notice,
  E.f1,
  E.sub,
  E.clearmsg,
  E.timeout,
  E.m2,
];
