import { seededRandom } from './seededRandom.ts';

/**
 * Real lines with 1–4 random edits, from a seeded PRNG so that every run checks the same lines
 * (the edits of test/unit/irc-strict.test.ts: inserted specials, cuts, duplications, random
 * code units, truncation, long runs, swapped words, upper-casing).
 */
export function lineMutator(realLines: readonly string[], seed: number): () => string {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const SPECIAL = [' ', ':', ';', '=', '@', '#', '!', '\\', '\r', '\n', '\0', '\u0001', '*', '.', '-', 'A', 'é', '😀', '\ud800', '\u200b'];
  const edits: ((line: string) => string)[] = [
    (l) => {
      const at = int(l.length + 1);
      return l.slice(0, at) + SPECIAL[int(SPECIAL.length)]! + l.slice(at);
    },
    (l) => {
      const at = int(l.length + 1);
      return l.slice(0, at) + l.slice(at + 1 + int(10));
    },
    (l) => {
      const at = int(l.length + 1);
      const end = at + int(40);
      return l.slice(0, end) + l.slice(at, end) + l.slice(end);
    },
    (l) => {
      const at = int(l.length);
      return l.slice(0, at) + String.fromCharCode(int(0x10000)) + l.slice(at + 1);
    },
    (l) => l.slice(0, int(l.length + 1)),
    (l) => {
      const at = int(l.length + 1);
      return l.slice(0, at) + SPECIAL[int(8)]!.repeat(1 + int(20_000)) + l.slice(at);
    },
    (l) => {
      const words = l.split(' ');
      const i = int(words.length);
      const j = int(words.length);
      [words[i], words[j]] = [words[j]!, words[i]!];
      return words.join(' ');
    },
    (l) => {
      const at = int(l.length);
      const end = at + 1 + int(12);
      return l.slice(0, at) + l.slice(at, end).toUpperCase() + l.slice(end);
    },
  ];
  return () => {
    let line = realLines[int(realLines.length)]!;
    for (let n = 1 + int(4); n > 0; n--) line = edits[int(edits.length)]!(line);
    return line;
  };
}
