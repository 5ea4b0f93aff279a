import type { Prng } from './createPrng.ts';
import { EMOJI, THIRD_PARTY_EMOTES, TWITCH_EMOTES, UNICODE_WORDS, WORDS } from './wordPools.ts';

/** A chat text with its Twitch emotes (code-point positions, as Twitch counts them). */
export interface PooledText {
  text: string;
  /** Length in code points. */
  length: number;
  emotes: ReadonlyArray<readonly [id: string, start: number, end: number]>;
  /** The `emotes` tag value for this text at offset 0. */
  emotesTag: string;
}

const MAX_CHARS = 500;
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Formats the `emotes` tag: `25:0-4,12-16/1902:6-10`, emote ids in first-seen order. */
export function formatEmotesTag(emotes: PooledText['emotes'], offset = 0): string {
  if (emotes.length === 0) return '';
  const byId = new Map<string, string[]>();
  for (const [id, start, end] of emotes) {
    const ranges = byId.get(id) ?? [];
    ranges.push(`${start + offset}-${end + offset}`);
    byId.set(id, ranges);
  }
  return [...byId].map(([id, ranges]) => `${id}:${ranges.join(',')}`).join('/');
}

function buildText(prng: Prng): PooledText {
  const roll = prng.next();
  const targetTokens = roll < 0.7 ? prng.range(1, 6) : roll < 0.95 ? prng.range(7, 20) : 1000;
  const targetChars = targetTokens === 1000 ? prng.range(150, MAX_CHARS) : MAX_CHARS;
  // Non-Latin scripts and emoji come from some chatters, not sprinkled into every message.
  const unicode = prng.chance(0.25);
  const emotes: Array<readonly [string, number, number]> = [];
  let text = '';
  let length = 0;
  for (let i = 0; i < targetTokens; i++) {
    const kind = prng.next();
    let token: string;
    let emoteId: string | null = null;
    if (kind < 0.55) token = prng.pick(WORDS);
    else if (kind < 0.75) [emoteId, token] = prng.pick(TWITCH_EMOTES);
    else if (kind < 0.85) token = prng.pick(THIRD_PARTY_EMOTES);
    else if (!unicode) token = prng.pick(WORDS);
    else if (kind < 0.93) token = prng.pick(UNICODE_WORDS);
    else token = prng.pick(EMOJI);
    const tokenLength = codePoints(token);
    const separator = length === 0 ? 0 : 1;
    if (length + separator + tokenLength > targetChars) break;
    if (separator) text += ' ';
    if (emoteId !== null) emotes.push([emoteId, length + separator, length + separator + tokenLength - 1]);
    text += token;
    length += separator + tokenLength;
  }
  if (length === 0) {
    text = 'gg';
    length = 2;
  }
  return { text, length, emotes, emotesTag: formatEmotesTag(emotes) };
}

/** Precomputed chat texts, so producing a message costs a pick, not a build. */
export function createTextPool(prng: Prng, size: number): PooledText[] {
  return Array.from({ length: size }, () => buildText(prng));
}
