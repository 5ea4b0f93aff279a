import { isUtf8 } from 'node:buffer';
import { IrcParseError } from '../errors.ts';
import { MAX_LINE_BYTES } from './constants.ts';
import { normalizers } from './normalizers.ts';
import { parseLine } from './parseLine.ts';
import type { NormalizeResult } from './types.ts';

export type { NormalizeResult } from './types.ts';

/** String.prototype.isWellFormed is in Node 20 but not in TypeScript's ES2023 lib. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/**
 * One raw IRC line → a ChatEvent, `ignored` (protocol: PING, JOIN, numerics, …) or `rejected`
 * with the reason. Never throws. A trailing CR LF is dropped; empty lines, lines over
 * MAX_LINE_BYTES, a NUL, CR or LF anywhere else, text that is not valid Unicode (unpaired
 * surrogates: it cannot have come from valid UTF-8), unparseable lines, channels and logins
 * that are not Twitch logins and typed tags that do not parse are rejected.
 * For bytes read from a file or socket use normalizeLineBytes, which also rejects invalid UTF-8.
 * Stateless: a line without `id` or `tmi-sent-ts` gets the id of the fallback with no previous
 * line (NO_ANCHOR); a reader hands each event with its `message` to its EventIdResolver, which
 * gives such a line the id every replica agrees on.
 */
export function normalizeLine(raw: string, receivedAt: number): NormalizeResult {
  let line = raw;
  if (line.charCodeAt(line.length - 1) === 0x0a) line = line.slice(0, -1);
  if (line.charCodeAt(line.length - 1) === 0x0d) line = line.slice(0, -1);
  if (line.length === 0) return rejected('empty line');
  // A string of n UTF-16 units is between n and 3n UTF-8 bytes; only measure when it matters.
  if (line.length > MAX_LINE_BYTES) return tooLong(Buffer.byteLength(line));
  if (line.length * 3 > MAX_LINE_BYTES) {
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_LINE_BYTES) return tooLong(bytes);
  }
  // Three native scans are cheaper than one JavaScript loop over the line.
  const nul = line.indexOf('\0');
  if (nul !== -1) return rejected(`NUL byte at column ${nul + 1}`);
  const cr = line.indexOf('\r');
  if (cr !== -1) return rejected(`CR inside the line at column ${cr + 1}`);
  const lf = line.indexOf('\n');
  if (lf !== -1) return rejected(`LF inside the line at column ${lf + 1}`);
  if (!(line as WellFormedCheck).isWellFormed()) return rejected('invalid UTF-8 (unpaired surrogate)');
  if (!Number.isSafeInteger(receivedAt) || receivedAt < 0) return rejected(`invalid receivedAt ${String(receivedAt)}`);
  return normalizeChecked(line, receivedAt);
}

/** normalizeLine for a line's bytes (CR LF optional): invalid UTF-8 is rejected, a real U+FFFD passes. */
export function normalizeLineBytes(bytes: Uint8Array, receivedAt: number): NormalizeResult {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  if (end > MAX_LINE_BYTES) return tooLong(end);
  const body = end === bytes.length ? bytes : bytes.subarray(0, end);
  if (!isUtf8(body)) return rejected(`invalid UTF-8 at byte ${firstInvalidUtf8(body) + 1}`);
  return normalizeLine(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), receivedAt);
}

function normalizeChecked(line: string, receivedAt: number): NormalizeResult {
  try {
    const message = parseLine(line);
    const normalizer = normalizers.get(message.command);
    if (normalizer === undefined) return { type: 'ignored', command: message.command };
    return { type: 'event', event: normalizer(message, receivedAt), message };
  } catch (error) {
    if (error instanceof IrcParseError) return rejected(error.message);
    // A bug, not bad input: still never crash the caller's loop, but say so.
    return rejected(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function rejected(reason: string): NormalizeResult {
  return { type: 'rejected', reason };
}

function tooLong(bytes: number): NormalizeResult {
  return rejected(`line too long: ${bytes} bytes (limit ${MAX_LINE_BYTES})`);
}

/** Offset of the first byte that breaks UTF-8 (only called on a line already known to be invalid). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    if (!isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return 0;
}
