import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChatEventSchema } from '../../core/events/chatEvent.ts';
import { IrcParseError } from '../../core/errors.ts';
import { escapeTagValue } from '../../core/irc/escapeTagValue.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../../core/irc/normalizeLine.ts';
import { parseLine } from '../../core/irc/parseLine.ts';
import { serializeNormalizedUtf8 } from '../../core/irc/serializeNormalized.ts';
import { unescapeTagValue } from '../../core/irc/unescapeTagValue.ts';
import { anyString, chatText, formatTags, tagMap, tagValue } from '../helpers/arbitraries.ts';

const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
const COMMANDS = ['PRIVMSG', 'USERNOTICE', 'CLEARCHAT', 'CLEARMSG', 'ROOMSTATE', 'NOTICE', 'PING', 'JOIN', '001', 'USERSTATE', 'WHISPER'];

/** The result is well-formed: an event that passes the schema, an ignore, or a rejection that is not a bug. */
function assertSound(result: NormalizeResult): void {
  if (result.type === 'event') ChatEventSchema.parse(result.event);
  else if (result.type === 'rejected') assert.doesNotMatch(result.reason, /^internal error/);
  else assert.equal(typeof result.command, 'string');
}

/** IRC-shaped lines with random parts, so that generation reaches the normalizers, not only the parser. */
const ircLikeLine = fc
  .record({
    tags: fc.option(tagMap(), { nil: null }),
    prefix: fc.option(fc.oneof(fc.constant('tmi.twitch.tv'), fc.constant('u!u@u.tmi.twitch.tv'), anyString(12)), { nil: null }),
    command: fc.oneof(fc.constantFrom(...COMMANDS), anyString(8)),
    params: fc.array(fc.oneof(fc.constant('#chan'), fc.constant('*'), anyString(10)), { maxLength: 3 }),
    trailing: fc.option(chatText(40), { nil: null }),
    typedTags: fc.dictionary(fc.constantFrom('bits', 'ban-duration', 'tmi-sent-ts', 'id', 'msg-id', 'source-msg-id', 'login', 'room-id'), anyString(6), { noNullPrototype: true }),
  })
  .map(({ tags, prefix, command, params, trailing, typedTags }) => {
    const allTags = tags === null && Object.keys(typedTags).length === 0 ? null : { ...tags, ...typedTags };
    return `${allTags === null ? '' : formatTags(allTags)}${prefix === null ? '' : `:${prefix} `}${[command, ...params].join(' ')}${trailing === null ? '' : ` :${trailing}`}`;
  });

/** A real line with a few random edits: deletions, insertions of IRC-significant characters, duplications. */
const mutatedRealLine = fc
  .tuple(
    fc.constantFrom(...realLines),
    fc.array(
      fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.oneof(fc.constantFrom(' ', ';', '=', ':', '@', '\\', '#', '!', '\u0001', '\r', '\n', '\0', '\ud800'), anyString(3))),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([line, edits]) => {
    let out = line;
    for (const [at, remove, insert] of edits) {
      const pos = at % (out.length + 1);
      out = out.slice(0, pos) + insert + out.slice(pos + remove);
    }
    return out;
  });

describe('IRC parser (property-based)', () => {
  it('tag maps survive escape → parse unchanged', () => {
    fc.assert(
      fc.property(tagMap(), chatText(30), (tags, text) => {
        fc.pre(Object.keys(tags).length > 0);
        const message = parseLine(`${formatTags(tags)}:u!u@u.tmi.twitch.tv PRIVMSG #chan :${text}`);
        assert.deepStrictEqual(message.tags, tags);
        assert.deepStrictEqual(message.params, ['#chan', text]);
      }),
      { numRuns: 500 },
    );
  });

  it('unescapes as the contract says, including what escape never produces (other \\x, a trailing lone backslash)', () => {
    assert.equal(unescapeTagValue('a\\sb\\:c\\\\d\\re\\nf'), 'a b;c\\d\re\nf');
    assert.equal(unescapeTagValue('\\x\\1'), 'x1');
    assert.equal(unescapeTagValue('end\\'), 'end');
    assert.equal(unescapeTagValue('\\'), '');
  });

  it('unescape(escape(v)) is v, and escaped values hold no space, semicolon, CR or LF', () => {
    fc.assert(
      fc.property(fc.oneof(tagValue(60), anyString(60)), (value) => {
        const escaped = escapeTagValue(value);
        assert.doesNotMatch(escaped, /[ ;\r\n]/);
        assert.equal(unescapeTagValue(escaped), value);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseLine only ever throws IrcParseError', () => {
    fc.assert(
      fc.property(fc.oneof(anyString(80), ircLikeLine, mutatedRealLine), (line) => {
        try {
          parseLine(line);
        } catch (error) {
          assert.ok(error instanceof IrcParseError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('random strings never throw out of normalizeLine, and every event passes the schema', () => {
    fc.assert(
      fc.property(fc.oneof(anyString(120), fc.string({ unit: 'grapheme', maxLength: 120 })), fc.nat(), (line, receivedAt) => {
        assertSound(normalizeLine(line, receivedAt));
      }),
      { numRuns: 2000 },
    );
  });

  it('IRC-shaped random lines and mutated real lines never throw, and every event passes the schema', () => {
    let events = 0;
    fc.assert(
      fc.property(fc.oneof(ircLikeLine, mutatedRealLine), (line) => {
        const result = normalizeLine(line, 1_700_000_000_000);
        assertSound(result);
        if (result.type === 'event') {
          events++;
          assert.equal(result.event.raw, line.replace(/\r?\n?$/, '').replace(/\r$/, ''));
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(events > 300, `only ${events} of 3000 generated lines became events`);
  });

  it('serializeNormalizedUtf8 writes exactly JSON.stringify(event) for every normalized event, on its fast path or not', () => {
    let fast = 0;
    let events = 0;
    // The bytes sit inside a larger buffer, as a line's bytes sit inside a WebSocket frame.
    const frame = Buffer.alloc(1 << 16, 0x3b);
    const check = (line: string) => {
      const result = normalizeLine(line, 1_700_000_000_000);
      if (result.type !== 'event') return;
      events++;
      if (!/["\\\u0000-\u001f]/.test(result.event.raw)) fast++;
      const json = JSON.stringify(result.event);
      const length = frame.write(line, 7);
      const bytes = serializeNormalizedUtf8(result.event, new Uint8Array(frame.buffer, frame.byteOffset + 7, length));
      assert.equal(Buffer.from(bytes).toString('utf8'), json);
    };
    for (const line of realLines) check(line);
    fc.assert(fc.property(fc.oneof(ircLikeLine, mutatedRealLine), check), { numRuns: 3000 });
    assert.ok(fast > 100 && fast < events, `the fast path took ${fast} of ${events} events: both paths must be exercised`);
  });

  it('random bytes never throw out of normalizeLineBytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedRealLine.map((line) => new Uint8Array(Buffer.from(line)))), (bytes) => {
        assertSound(normalizeLineBytes(bytes, 1_700_000_000_000));
      }),
      { numRuns: 2000 },
    );
  });
});
