import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatEventSchema, type ChatEvent } from '../../core/events/chatEvent.ts';
import { MAX_LINE_BYTES } from '../../core/irc/constants.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../../core/irc/normalizeLine.ts';

const RECEIVED_AT = 1_700_000_000_000;
const PRIVMSG_HEAD =
  '@badges=;color=;display-name=Hax;id=0e0e0e0e-0000-4000-8000-000000000000;room-id=1;tmi-sent-ts=1700000000001;user-id=2 :hax!hax@hax.tmi.twitch.tv PRIVMSG #victim :';

function reasonOf(result: NormalizeResult): string {
  assert.equal(result.type, 'rejected', JSON.stringify(result));
  return result.type === 'rejected' ? result.reason : '';
}

function eventOf(result: NormalizeResult): ChatEvent {
  assert.equal(result.type, 'event', JSON.stringify(result));
  if (result.type !== 'event') throw new Error('unreachable');
  ChatEventSchema.parse(result.event);
  return result.event;
}

describe('hostile input is rejected with a reason, never thrown', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty line', '', /^empty line$/],
    ['a lone CR', '\r', /^empty line$/],
    ['spaces only', '   ', /^missing command$/],
    ['a prefix and nothing else', ':tmi.twitch.tv', /^prefix without a command$/],
    ['tags and a prefix without a command', '@a=b :tmi.twitch.tv ', /^missing command$/],
    ['tags without anything after them', '@badges=;color=#FFF', /^tags without a command$/],
    ['an empty tag section', '@ PRIVMSG #c :x', /^empty tag section$/],
    ['an empty tag key', '@=x;a=b PRIVMSG #c :x', /^empty tag key$/],
    ['a control character in a tag key', '@a\u0001b=1 PRIVMSG #c :x', /^invalid character in tag key/],
    ['a non-ASCII tag key', '@bädges=1 PRIVMSG #c :x', /^invalid character in tag key/],
    ['an empty prefix', ': PRIVMSG #c :x', /^empty prefix$/],
    ['a command that is not letters or a numeric', ':u!u@u PRIV$MSG #c :x', /^invalid command "PRIV\$MSG"$/],
    ['a two-digit numeric', ':tmi.twitch.tv 01 me :hi', /^invalid command "01"$/],
    ['a PRIVMSG without a channel', ':u!u@u PRIVMSG', /^PRIVMSG without a channel$/],
    ['a PRIVMSG to an empty channel', ':u!u@u PRIVMSG # :x', /^PRIVMSG without a channel$/],
    ['a NUL byte', ':u!u@u PRIVMSG #c :a\0b', /^NUL byte at column 21$/],
    ['an unpaired surrogate', ':u!u@u PRIVMSG #c :\ud83d', /^invalid UTF-8/],
    ['bits=x', '@bits=x :u!u@u PRIVMSG #c :cheer', /^tag bits is not a non-negative integer: "x"$/],
    ['negative bits', '@bits=-5 :u!u@u PRIVMSG #c :cheer', /^tag bits is not a non-negative integer/],
    [
      'ban-duration=abc',
      '@ban-duration=abc;target-user-id=1 :tmi.twitch.tv CLEARCHAT #c :u',
      /^tag ban-duration is not a non-negative integer: "abc"$/,
    ],
    [
      'tmi-sent-ts=yesterday',
      '@tmi-sent-ts=yesterday :tmi.twitch.tv ROOMSTATE #c',
      /^tag tmi-sent-ts is not a non-negative integer: "yesterday"$/,
    ],
    ['tmi-sent-ts in exponent form', '@tmi-sent-ts=1.7e12 :u!u@u PRIVMSG #c :x', /^tag tmi-sent-ts is not/],
    ['tmi-sent-ts past 2^53', '@tmi-sent-ts=99999999999999999999 :u!u@u PRIVMSG #c :x', /^tag tmi-sent-ts is not/],
  ];
  for (const [what, line, reason] of cases) {
    it(`rejects ${what}`, () => {
      assert.match(reasonOf(normalizeLine(line, RECEIVED_AT)), reason);
    });
  }

  it('rejects a 20 KB line as too long, as a string and as bytes', () => {
    const line = PRIVMSG_HEAD + 'x'.repeat(20_000);
    const bytes = Buffer.byteLength(line);
    assert.equal(reasonOf(normalizeLine(line, RECEIVED_AT)), `line too long: ${bytes} bytes (limit ${MAX_LINE_BYTES})`);
    assert.equal(reasonOf(normalizeLineBytes(Buffer.from(line), RECEIVED_AT)), `line too long: ${bytes} bytes (limit ${MAX_LINE_BYTES})`);
  });

  it('measures the limit in UTF-8 bytes: 6,000 emoji are too long, a line of exactly the limit is fine', () => {
    assert.match(reasonOf(normalizeLine(PRIVMSG_HEAD + '😀'.repeat(6_000), RECEIVED_AT)), /^line too long: \d+ bytes/);
    const exact = PRIVMSG_HEAD + 'y'.repeat(MAX_LINE_BYTES - Buffer.byteLength(PRIVMSG_HEAD));
    assert.equal(Buffer.byteLength(exact), MAX_LINE_BYTES);
    assert.equal(eventOf(normalizeLine(exact, RECEIVED_AT)).raw, exact);
    assert.equal(eventOf(normalizeLineBytes(Buffer.from(`${exact}\r\n`), RECEIVED_AT)).raw, exact);
  });

  const invalidUtf8: [string, number[]][] = [
    ['a stray 0xFF', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [what, bad] of invalidUtf8) {
    it(`rejects invalid UTF-8: ${what}, naming the byte`, () => {
      const head = Buffer.from(':u!u@u PRIVMSG #c :ok ');
      const line = Buffer.concat([head, Buffer.from(bad), Buffer.from(' end')]);
      assert.equal(reasonOf(normalizeLineBytes(line, RECEIVED_AT)), `invalid UTF-8 at byte ${head.length + 1}`);
    });
  }

  it('passes a real U+FFFD in valid UTF-8 through unchanged', () => {
    const event = eventOf(normalizeLineBytes(Buffer.from(`${PRIVMSG_HEAD}broken \ufffd glyph`), RECEIVED_AT));
    assert.equal(event.text, 'broken \ufffd glyph');
  });

  it('rejects an impossible receivedAt instead of emitting an invalid event', () => {
    assert.match(reasonOf(normalizeLine(PRIVMSG_HEAD + 'x', -1)), /^invalid receivedAt/);
    assert.match(reasonOf(normalizeLine(PRIVMSG_HEAD + 'x', Number.NaN)), /^invalid receivedAt/);
  });
});

describe('odd but valid PRIVMSG text is kept verbatim', () => {
  const texts: [string, string][] = [
    ['an SQL injection', "Robert'); DROP TABLE chat_events;-- "],
    ['another SQL injection', "' OR '1'='1' /* \\\" ; SELECT pg_sleep(10); --"],
    ['ClickHouse-style injection', "x' FORMAT JSONEachRow SETTINGS max_threads=1 --"],
    ['control characters and ANSI escapes', '\u0007bell \u001b[31mred\u001b[0m \u0008back\ttab\u007f'],
    ['zero-width joiners and a ZWJ family', 'a\u200db \u{1F468}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466} \u200b\u2060'],
    ['emoji with skin tones and flags', '\u{1F44B}\u{1F3FD} \u{1F1FA}\u{1F1E6} \u{1F3F3}\u{FE0F}\u200d\u{1F308}'],
    ['right-to-left override and Arabic', '\u202Eevil\u202C \u0645\u0631\u062d\u0628\u0627'],
    ['combining marks (zalgo)', 'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319a\u0300\u0301l\u0302g\u0303o'],
    ['the U+E0000 tag character chatters use to dodge duplicate checks', 'same message \u{E0000}'],
    ['a semicolon, backslashes and an unescaped-looking tag sequence', 'a;b\\sc\\:d @x=y :not a prefix'],
    ['leading and trailing spaces', '  spaced out  '],
    ['JSON and HTML', '{"v":2,"kind":"ban"} <script>alert(1)</script> &amp;'],
    ['a lone backslash at the end', 'ends with \\'],
  ];
  for (const [what, text] of texts) {
    it(`keeps ${what}`, () => {
      const line = PRIVMSG_HEAD + text;
      const event = eventOf(normalizeLine(line, RECEIVED_AT));
      assert.equal(event.text, text);
      assert.equal(event.raw, line);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), event);
      assert.deepStrictEqual(eventOf(normalizeLineBytes(Buffer.from(line), RECEIVED_AT)), event);
    });
  }
});
