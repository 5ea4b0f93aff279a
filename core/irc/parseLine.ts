import { IrcParseError } from '../errors.ts';
import type { IrcMessage } from './types.ts';
import { sharedTagKeys, type KeyNode, type TagKeyTrie } from './tagKeyTrie.ts';
import { unescapeTagValue } from './unescapeTagValue.ts';

const SPACE = 0x20;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const AT = 0x40;

/**
 * Splits one IRCv3 line (without CR LF) into tags, prefix, command and params. Hand-written
 * with indexOf and char codes, no regular expressions: this runs once per chat line.
 * Throws IrcParseError for a line that is not IRC: tags or prefix with nothing after them,
 * an empty tag key or one with spaces, control or non-ASCII characters, a missing command,
 * or a command that is neither letters nor a three-digit numeric.
 * `keys` is the tag key cache it learns in: the process-wide one unless the caller brings its own.
 */
export function parseLine(raw: string, keys: TagKeyTrie = sharedTagKeys): IrcMessage {
  const end = raw.length;
  let pos = 0;
  let tags: Record<string, string> = {};

  if (raw.charCodeAt(0) === AT) {
    const tagsEnd = raw.indexOf(' ', 1);
    if (tagsEnd === -1) throw new IrcParseError('tags without a command');
    tags = parseTags(raw, 1, tagsEnd, keys);
    pos = tagsEnd + 1;
  }
  while (raw.charCodeAt(pos) === SPACE) pos++;

  let prefix: string | null = null;
  if (raw.charCodeAt(pos) === COLON) {
    const prefixEnd = raw.indexOf(' ', pos + 1);
    if (prefixEnd === -1) throw new IrcParseError('prefix without a command');
    if (prefixEnd === pos + 1) throw new IrcParseError('empty prefix');
    prefix = raw.slice(pos + 1, prefixEnd);
    pos = prefixEnd + 1;
    while (raw.charCodeAt(pos) === SPACE) pos++;
  }

  if (pos >= end) throw new IrcParseError('missing command');
  let commandEnd = raw.indexOf(' ', pos);
  if (commandEnd === -1) commandEnd = end;
  if (!isCommand(raw, pos, commandEnd)) {
    throw new IrcParseError(`invalid command ${JSON.stringify(clip(raw.slice(pos, commandEnd)))}`);
  }
  const command = raw.slice(pos, commandEnd);

  const params: string[] = [];
  let trailing = false;
  pos = commandEnd;
  while (pos < end) {
    while (raw.charCodeAt(pos) === SPACE) pos++;
    if (pos >= end) break;
    if (raw.charCodeAt(pos) === COLON) {
      params.push(raw.slice(pos + 1));
      trailing = true;
      break;
    }
    let next = raw.indexOf(' ', pos);
    if (next === -1) next = end;
    params.push(raw.slice(pos, next));
    pos = next;
  }
  return { raw, tags, prefix, command, params, trailing };
}

/** Letters only (PRIVMSG) or exactly three digits (001). */
function isCommand(raw: string, start: number, end: number): boolean {
  const length = end - start;
  const first = raw.charCodeAt(start);
  if (first >= 0x30 && first <= 0x39) {
    if (length !== 3) return false;
    for (let i = start + 1; i < end; i++) {
      const c = raw.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return false;
    }
    return true;
  }
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i) | 0x20; // ASCII lower case
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

/** The current line's keys and values in order, reused from line to line (parseTags is not re-entered). */
const keyScratch: string[] = [];
const valueScratch: string[] = [];

/**
 * Parses `key=value;key2;…` between start and end (the space after the tags). Empty entries are
 * skipped. Keys are matched against the key trie first (see tagKeyTrie.ts); a predicted key was
 * validated when it was first learned.
 */
function parseTags(raw: string, start: number, end: number, cache: TagKeyTrie): Record<string, string> {
  if (start === end) throw new IrcParseError('empty tag section');
  // Most tag sections hold no escape at all: then no value needs unescaping.
  const backslash = raw.indexOf('\\', start);
  const escaped = backslash !== -1 && backslash < end;
  let node: KeyNode | undefined = cache.root;
  let count = 0;
  let pos = start;
  while (pos < end) {
    let key: string | undefined;
    let next: KeyNode | undefined;
    if (node !== undefined) {
      const keys = node.keys;
      for (let k = 0; k < keys.length; k++) {
        const candidate = keys[k]!;
        if (!raw.startsWith(candidate, pos)) continue;
        const after = pos + candidate.length;
        const c = raw.charCodeAt(after);
        if (after === end || c === EQUALS || c === SEMICOLON) {
          key = candidate;
          next = node.children[k];
          node.hits[k] = node.hits[k]! + 1;
          break;
        }
      }
    }
    let i: number;
    if (key !== undefined) i = pos + key.length;
    else {
      i = pos;
      for (; i < end; i++) {
        const c = raw.charCodeAt(i);
        if (c === EQUALS || c === SEMICOLON) break;
        if (c <= SPACE || c >= 0x7f) {
          throw new IrcParseError(`invalid character in tag key ${JSON.stringify(clip(raw.slice(pos, i + 1)))}`);
        }
      }
      if (i === pos) {
        if (i < end && raw.charCodeAt(i) === SEMICOLON) {
          pos = i + 1; // `;;` or a trailing `;`
          continue;
        }
        throw new IrcParseError('empty tag key');
      }
      key = raw.slice(pos, i);
      next = node === undefined ? undefined : cache.childFor(node, key);
    }
    node = next;
    keyScratch[count] = key;
    if (i === end || raw.charCodeAt(i) === SEMICOLON) {
      valueScratch[count++] = '';
      pos = i + 1;
      continue;
    }
    let valueEnd = raw.indexOf(';', i + 1);
    if (valueEnd === -1 || valueEnd > end) valueEnd = end;
    const value = raw.slice(i + 1, valueEnd);
    valueScratch[count++] = escaped ? unescapeTagValue(value) : value;
    pos = valueEnd + 1;
  }
  const build = node === undefined ? undefined : cache.builderFor(node);
  if (build !== undefined) return build(valueScratch);
  const tags: Record<string, string> = {};
  for (let t = 0; t < count; t++) setTag(tags, keyScratch[t]!, valueScratch[t]!);
  return tags;
}

function setTag(tags: Record<string, string>, key: string, value: string): void {
  // `__proto__` is a legal tag key; a plain assignment would change the prototype instead.
  if (key === '__proto__') Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  else tags[key] = value;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
