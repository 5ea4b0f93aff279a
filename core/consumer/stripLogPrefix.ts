/**
 * Loggers often prefix each raw line with the time they wrote it:
 *   `[2024-01-01 12:00:00] @tags :prefix PRIVMSG …`, `2024-01-01T12:00:00.000Z @tags …`,
 *   `[2024-01-01 12:00:00.123 +01:00] :tmi.twitch.tv …`.
 * Returns the byte offset where the IRC line starts and the prefix's time (ms), or null when
 * the line has no such prefix. A time without a zone is UTC.
 */
const PREFIX = /^\[?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?\]?\s+(?=[@:A-Z])/;

const ZERO = 0x30;
const NINE = 0x39;
const BRACKET = 0x5b;

export function stripLogPrefix(line: Uint8Array): { offset: number; time: number } | null {
  const first = line[0];
  // Fast path: raw IRC lines start with `@`, `:` or a command letter.
  if (first === undefined || !(first === BRACKET || (first >= ZERO && first <= NINE))) return null;
  const head = Buffer.from(line.buffer, line.byteOffset, Math.min(line.byteLength, 48)).toString('latin1');
  const match = PREFIX.exec(head);
  if (!match) return null;
  const [whole, date, time, fraction, zone] = match;
  const ms = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  const offset = zone === undefined || zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const parsed = Date.parse(`${date}T${time}.${ms}${offset}`);
  if (Number.isNaN(parsed)) return null;
  return { offset: whole.length, time: parsed };
}
