import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChatEventSchema } from '../../core/events/chatEvent.ts';
import { isLogin } from '../../core/irc/baseEvent.ts';
import { EventIdResolver } from '../../core/irc/eventIdResolver.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../../core/irc/normalizeLine.ts';
import { createLineCapture } from '../../services/ingester/captureLine.ts';
import { DeadLetterJournal } from '../../services/ingester/deadLetterJournal.ts';
import { tempDir } from '../helpers/ingesterFixture.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

// Strict IRC input (issue 13, item 6): channels and logins are Twitch logins, the channel comes
// before the trailing parameter, no CR, LF or NUL inside a line. Rejected, with a reason, kept.

const RECEIVED_AT = 1_700_000_000_000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const realLines = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const TAGS = '@badges=;color=;display-name=U;id=0e0e0e0e-0000-4000-8000-000000000000;room-id=1;tmi-sent-ts=1700000000001;user-id=2';

/** Hostile lines and the reason each must be rejected with. */
const hostile: [string, string, RegExp][] = [
  ['a PRIVMSG with no channel before the text', ':u!u@u PRIVMSG :hello there', /^PRIVMSG without a channel$/],
  ['a PRIVMSG whose one-word text looks like a channel', ':u!u@u PRIVMSG :hello', /^PRIVMSG without a channel$/],
  [
    'a USERNOTICE with no channel before the text',
    '@login=u;msg-id=resub :tmi.twitch.tv USERNOTICE :great stream',
    /^USERNOTICE without a channel$/,
  ],
  ['a CR inside a channel name', ':u!u@u PRIVMSG #ch\ran :hi', /^CR inside the line at column 19$/],
  ['a CR inside the text', `${TAGS} :u!u@u PRIVMSG #c :a\rb`, /^CR inside the line at column/],
  ['an LF inside the line', ':u!u@u PRIVMSG #c :a\nb', /^LF inside the line at column 21$/],
  ['a NUL in the channel', ':u!u@u PRIVMSG #c\0 :hi', /^NUL byte at column 18$/],
  ['a prefix of 15,000 colons', `${':'.repeat(15_000)} PRIVMSG #c :hi`, /^invalid sender login "::::/],
  ['an upper-case sender', ':Foo!foo@foo.tmi.twitch.tv PRIVMSG #c :hi', /^invalid sender login "Foo"$/],
  ['a server as sender', ':tmi.twitch.tv PRIVMSG #c :hi', /^invalid sender login "tmi.twitch.tv"$/],
  ['a PRIVMSG without a prefix', `${TAGS} PRIVMSG #c :hi`, /^PRIVMSG without a sender$/],
  ['a 26-character sender', `:${'a'.repeat(26)}!x@x PRIVMSG #c :hi`, /^invalid sender login/],
  ['a channel with a dot', ':u!u@u PRIVMSG #a.b :hi', /^invalid channel "#a.b"$/],
  ['a 26-character channel', `:u!u@u PRIVMSG #${'c'.repeat(26)} :hi`, /^invalid channel/],
  ['a non-ASCII channel', ':u!u@u PRIVMSG #señor :hi', /^invalid channel "#señor"$/],
  ['a `*` channel on a PRIVMSG', ':u!u@u PRIVMSG * :hi', /^invalid channel "\*"$/],
  ['a `*` channel on a ROOMSTATE', '@slow=0 :tmi.twitch.tv ROOMSTATE *', /^invalid channel "\*"$/],
  ['a USERNOTICE login with a hyphen', '@login=bad-name;msg-id=sub :tmi.twitch.tv USERNOTICE #c', /^invalid login "bad-name"$/],
  ['a CLEARMSG login with a space', '@login=a\\sb;target-msg-id=x :tmi.twitch.tv CLEARMSG #c :text', /^invalid login "a b"$/],
  [
    'a CLEARCHAT target that is not a login',
    '@room-id=1;target-user-id=2 :tmi.twitch.tv CLEARCHAT #c :bad.user',
    /^invalid target user "bad.user"$/,
  ],
  [
    'a ban-duration past what a sink column holds',
    '@ban-duration=5408892348;room-id=1;target-user-id=2 :tmi.twitch.tv CLEARCHAT #c :baduser',
    /^tag ban-duration is over 2147483647: 5408892348$/,
  ],
  ['bits past what a sink column holds', `${TAGS};bits=2147483648 :u!u@u.tmi.twitch.tv PRIVMSG #c :cheer1`, /^tag bits is over 2147483647/],
];

const accepted: [string, string, Partial<Record<'channel' | 'user_login' | 'target_user_login', string>>][] = [
  ['a one-character login and channel', ':a!a@a PRIVMSG #b :x', { channel: 'b', user_login: 'a' }],
  [
    '25 characters of [a-z0-9_]',
    `:${'a_9'.repeat(8)}z!x@x PRIVMSG #${'c_0'.repeat(8)}d :x`,
    { channel: `${'c_0'.repeat(8)}d`, user_login: `${'a_9'.repeat(8)}z` },
  ],
  ['an upper-case channel, lower-cased as the contract says', ':u!u@u PRIVMSG #Chan :x', { channel: 'chan' }],
  ['a global NOTICE', ':tmi.twitch.tv NOTICE * :Login authentication failed', { channel: '*' }],
  ['a ban', '@room-id=1;target-user-id=2 :tmi.twitch.tv CLEARCHAT #c :baduser', { target_user_login: 'baduser' }],
  [
    'the longest timeout a sink holds',
    '@ban-duration=2147483647;room-id=1;target-user-id=2 :tmi.twitch.tv CLEARCHAT #c :baduser',
    { target_user_login: 'baduser' },
  ],
];

function reasonOf(result: NormalizeResult): string {
  assert.equal(result.type, 'rejected', JSON.stringify(result).slice(0, 300));
  return result.type === 'rejected' ? result.reason : '';
}

/** A real line with 1–4 random edits, from a seeded PRNG so that every run checks the same lines. */
function mutator(seed: number): () => string {
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

describe('strict IRC input: hostile lines are rejected with a reason', () => {
  for (const [what, line, reason] of hostile) {
    it(`rejects ${what}`, () => {
      assert.match(reasonOf(normalizeLine(line, RECEIVED_AT)), reason);
      assert.match(reasonOf(normalizeLineBytes(Buffer.from(line), RECEIVED_AT)), reason);
    });
  }
  for (const [what, line, fields] of accepted) {
    it(`accepts ${what}`, () => {
      const result = normalizeLine(line, RECEIVED_AT);
      assert.equal(result.type, 'event', JSON.stringify(result));
      if (result.type === 'event')
        for (const [key, value] of Object.entries(fields)) assert.equal(result.event[key as keyof typeof fields], value);
    });
  }
});

describe('10,000 random mutations of real lines', () => {
  it('never throw; every event is strict and passes the schema; every rejection has a reason', () => {
    const next = mutator(13);
    let emitted = 0;
    const ids = new EventIdResolver<undefined>({ emit: () => emitted++ });
    const counts = { event: 0, ignored: 0, rejected: 0 };
    for (let i = 0; i < 10_000; i++) {
      const line = next();
      const result = normalizeLine(line, RECEIVED_AT + i); // a throw fails the test
      counts[result.type]++;
      const context = `mutation ${i}: ${JSON.stringify(line.slice(0, 200))}`;
      if (result.type === 'rejected') {
        assert.ok(result.reason.length > 0, context);
        assert.doesNotMatch(result.reason, /^internal error/, context);
      } else if (result.type === 'event') {
        const event = result.event;
        ids.read(event, result.message, undefined);
        ChatEventSchema.parse(event);
        assert.ok(isLogin(event.channel) || (event.kind === 'notice' && event.channel === '*'), `${context}: channel ${event.channel}`);
        if (event.kind !== 'usernotice')
          for (const login of [event.user_login, event.target_user_login])
            assert.ok(login === null || isLogin(login), `${context}: login ${login}`);
        else assert.ok(event.user_login === null || isLogin(event.user_login), context);
        assert.doesNotMatch(event.raw, /[\r\n\0]/, context);
      }
      // As bytes (a lone surrogate becomes U+FFFD there): no throw, no rejection without a reason.
      const fromBytes = normalizeLineBytes(Buffer.from(line), RECEIVED_AT);
      if (fromBytes.type === 'rejected') assert.ok(fromBytes.reason.length > 0 && !fromBytes.reason.startsWith('internal error'), context);
    }
    ids.releaseAll();
    assert.equal(emitted, counts.event, 'the reader emits every event once');
    // The mutations reach both sides of every check.
    assert.ok(counts.event > 1000 && counts.rejected > 1000 && counts.ignored > 100, JSON.stringify(counts));
  });

  it('the ingester keeps every rejected line in its dead-letter journal with the reason', () => {
    const dir = tempDir('strict-dead-letter-');
    try {
      const journal = new DeadLetterJournal(dir.path);
      const capture = createLineCapture({ onEvent: () => {}, deadLetter: journal });
      const next = mutator(7);
      const lines = [...hostile.map(([, line]) => line), ...Array.from({ length: 2000 }, next)];
      const wanted: { raw: string; reason: string }[] = [];
      for (const [i, line] of lines.entries()) {
        const result = capture(line, RECEIVED_AT + i, 1);
        if (result.type === 'rejected') wanted.push({ raw: line, reason: result.reason });
      }
      const kept = readFileSync(journal.path, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { raw: string; reason: string });
      assert.ok(wanted.length > hostile.length);
      assert.equal(capture.totals.rejects, wanted.length);
      assert.deepStrictEqual(
        kept.map(({ raw, reason }) => ({ raw, reason })),
        wanted,
      );
    } finally {
      dir.remove();
    }
  });

  it('`poglytics parse` reports every rejected line on stderr with its number and reason', () => {
    const dir = tempDir('strict-parse-');
    try {
      // LF ends a line in a file, so the LF case cannot be one line there.
      const lines = hostile.map(([, line]) => line).filter((line) => !line.includes('\n'));
      const file = join(dir.path, 'hostile.log');
      writeFileSync(file, `${[realLines[10]!, ...lines].join('\n')}\n`);
      const run = spawnSync(process.execPath, ['bin/poglytics.js', 'parse', file], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const reported = run.stderr.split('\n').filter((l) => l.startsWith('line '));
      assert.equal(reported.length, lines.length, run.stderr);
      for (const [i, line] of lines.entries()) {
        const [, , reason] = hostile.find(([, l]) => l === line)!;
        const report = reported[i]!;
        assert.ok(report.startsWith(`line ${i + 2}: `), report);
        assert.match(report.slice(`line ${i + 2}: `.length), reason);
      }
      assert.match(run.stderr, new RegExp(`parse: ${lines.length + 1} lines, 1 events, 0 ignored, ${lines.length} rejected`));
    } finally {
      dir.remove();
    }
  });
});
