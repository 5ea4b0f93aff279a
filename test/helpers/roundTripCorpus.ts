import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { makeChatEvents } from './chatEvents.ts';
import { lineMutator } from './lineMutator.ts';
import { REAL_LINES as realLines, normalizedEvents as eventsOf, simulatorLines } from './rawCorpus.ts';

export { RECEIVED_AT } from './rawCorpus.ts';

/** Tag sections a template cannot turn into tags without parsing (repeated keys, `__proto__`, escapes, empty entries). */
const AWKWARD_LINES = [
  '@b=y;1=x;1a=z;id=a1;room-id=1;tmi-sent-ts=1 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@a=1;b=2;a=3;id=a2;room-id=1;tmi-sent-ts=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@msg-param-b=c;msg-param-1=a;msg-id=sub;id=a3;room-id=1;tmi-sent-ts=3;login=u :tmi.twitch.tv USERNOTICE #c',
  '@msg-param-__proto__=x;msg-param-y=z;msg-id=sub;id=a4;room-id=1;tmi-sent-ts=4 :tmi.twitch.tv USERNOTICE #c',
  '@a"b=1;c=\\s\\:\\\\"é😀;;d;e=;id=a5;room-id=1;tmi-sent-ts=5 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@__proto__=p;x=\\;id=a6;room-id=1;tmi-sent-ts=6 :u!u@u.tmi.twitch.tv PRIVMSG #c :t',
  '@display-name=A\\sb;system-msg=x\\sy\\:z;id=a7;room-id=1;tmi-sent-ts=7;msg-id=raid;login=u :tmi.twitch.tv USERNOTICE #c :hi',
];

/** Events whose tags, params or raw are not their line's, and values the row encoding stores in odd forms. */
function oddEvents(): ChatEvent[] {
  const odd = makeChatEvents(4, { seed: 9 }).map((e, i) => ({
    ...e,
    event_id: `odd-${i}`,
    raw: ['not an irc line', `@x=y :u PRIVMSG #c :${e.text ?? ''}`, '@a=1;a=2 :u!u@u.tmi.twitch.tv PRIVMSG #c :\x1f', e.raw][i]!,
    tags: i === 3 ? e.tags : { changed: String(i) },
    params: { p: 'q' },
    badges: [['a,b', ''], ['[x'], [], ['x']][i]!,
    user_id: ['007', '-1', '12345678901234567890', '123456789012345'][i]!,
  }));
  // A column holding a tag value as the line has it (still escaped): the template takes it as
  // is, and its tag is the unescaped value.
  const escaped = eventsOf(['@display-name=a\\sb\\:c;id=odd-4;room-id=1;tmi-sent-ts=8 :u!u@u.tmi.twitch.tv PRIVMSG #c :t'])[0]!;
  return [...odd, { ...escaped, display_name: 'a\\sb\\:c' }];
}

/**
 * Every corpus a sink's raw round trip is checked on, each event_id once (a database holds each
 * once): the real lines, awkward tag sections, 10,000 mutated real lines, the simulator's lines,
 * the factory's events with hostile text, and events whose tags, params or raw are not their line's.
 */
export function roundTripCorpus(): ChatEvent[] {
  const mutations: string[] = [];
  const next = lineMutator(realLines, 13);
  for (let i = 0; i < 10_000; i++) mutations.push(next());
  const all = [
    ...eventsOf(realLines),
    ...eventsOf(AWKWARD_LINES),
    ...eventsOf(mutations),
    ...eventsOf(simulatorLines(5, 20_000)),
    ...makeChatEvents(10_000, { seed: 3, hostileShare: 0.2 }),
    ...oddEvents(),
  ];
  const seen = new Set<string>();
  return all.filter((e) => !seen.has(e.event_id) && seen.add(e.event_id));
}
