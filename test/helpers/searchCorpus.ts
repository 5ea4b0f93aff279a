import type { ChatEvent } from '../../core/events/chatEvent.ts';
import type { SearchQuery } from '../../core/read/searchQuery.ts';
import { eventOf, line } from './readApiFixture.ts';
import { seededRandom } from './seededRandom.ts';

/** Chat-like words: emotes, a few common words (so phrases repeat), accents and punctuation. */
const VOCABULARY = [
  'Kappa',
  'PogChamp',
  'LUL',
  'OMEGALUL',
  'monkaS',
  'Pog',
  'KEKW',
  'forsenE',
  'NaM',
  'xqcL',
  'the',
  'of',
  'a',
  'is',
  'this',
  'that',
  'game',
  'stream',
  'chat',
  'boss',
  'run',
  'clip',
  'gg',
  'wp',
  'first',
  'last',
  'never',
  'again',
  'Pokémon',
  'café',
  "don't",
  "it's",
  'lmao',
  'wtf',
  'hello',
  'world',
  'nice',
  'play',
  'LETSGO',
  '!',
  '?',
  '🐸',
  '1v1',
  '2024',
];

export interface SearchCorpus {
  readonly events: ChatEvent[];
  /** What a correct index answers: the ids of the events in `channel` (and of `user`) matching `query`, in sent_at order. */
  matching(query: SearchQuery, channel: string, user?: string): string[];
}

/** Words as the index sees them: case and accents folded, split at anything not a letter or digit. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

const containsRun = (haystack: readonly string[], needle: readonly string[]) =>
  haystack.some((_, i) => needle.every((w, j) => haystack[i + j] === w));

/**
 * `count` PRIVMSGs over two channels and 20 users, one every `stepMs` (a second) from 2024-02-01, their text 1-12
 * seeded words: ground truth for search, checked by brute force over the words.
 */
export function searchCorpus(count: number, seed = 17, at0 = Date.UTC(2024, 1, 1), stepMs = 1000): SearchCorpus {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const events: ChatEvent[] = [];
  for (let i = 0; i < count; i++) {
    const channel = i % 3 === 0 ? { channel: 'forsen', roomId: '22484632' } : { channel: 'pajlada', roomId: '11148817' };
    const n = Math.floor(rand() * 20);
    const text = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pick(VOCABULARY)).join(' ');
    const at = at0 + i * stepMs;
    const id = `00000000-0000-4000-b000-${String(i).padStart(12, '0')}`;
    events.push(eventOf(line.privmsg({ ...channel, login: `user${n}`, userId: String(5000 + n), text, at, id }), at + 3));
  }
  const tokens = new Map(events.map((e) => [e.event_id, words(e.text ?? '')]));
  return {
    events,
    matching(query, channel, user) {
      return events
        .filter((e) => e.channel === channel && (user === undefined || e.user_login === user))
        .filter((e) => query.terms.every((t) => containsRun(tokens.get(e.event_id)!, words(t.text))))
        .map((e) => e.event_id);
    },
  };
}
