import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChatEventSchema } from '../../core/events/chatEvent.ts';
import { EventIdResolver } from '../../core/irc/eventIdResolver.ts';
import { MAX_LINE_BYTES } from '../../core/irc/constants.ts';
import { normalizeLine } from '../../core/irc/normalizeLine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/poglytics.js');
const CORPUS = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url));
const RECEIVED_AT = 1_700_000_000_000;
const SUMMARY = /^parse: (\d+) lines, (\d+) events, (\d+) ignored, (\d+) rejected in \d+\.\d\d s$/;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/poglytics.js parse …`, feeding `input` on stdin when given. */
function runParse(args: string[], input?: Buffer, onStdout?: (child: ReturnType<typeof spawn>) => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'parse', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => {}); // the child may stop reading early (EPIPE test)
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    onStdout?.(child);
    if (input === undefined) child.stdin.end();
    else child.stdin.end(input);
  });
}

function ndjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** The NDJSON the contract gives for these lines (normalizeLine is checked against the corpus elsewhere). */
function expectedEvents(lines: string[], receivedAt: number): unknown[] {
  // One reader, as the CLI is; events come out of it in input order here, so index them.
  const out: unknown[] = [];
  const ids = new EventIdResolver<number>({ emit: (event, index) => (out[index] = JSON.parse(JSON.stringify(event)) as unknown) });
  for (const line of lines) {
    const result = normalizeLine(line, receivedAt);
    if (result.type === 'event') ids.read(result.event, result.message, out.push(null) - 1);
  }
  ids.releaseAll();
  return out;
}

describe('poglytics parse', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'poglytics-parse-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns the real corpus file into ChatEvent NDJSON in input order, with a summary and exit 0', async () => {
    // Prepare
    const file = join(dir, 'corpus.txt');
    writeFileSync(file, CORPUS);
    const lines = CORPUS.toString('utf8').split('\n').slice(0, -1);
    // Act
    const result = await runParse([file, '--received-at', String(RECEIVED_AT)]);
    // Assess
    assert.equal(result.code, 0, result.stderr);
    const events = ndjson(result.stdout);
    for (const event of events) ChatEventSchema.parse(event);
    assert.deepStrictEqual(events, expectedEvents(lines, RECEIVED_AT));
    const stderr = result.stderr.trimEnd().split('\n');
    assert.equal(stderr.length, 1, result.stderr);
    assert.deepStrictEqual(SUMMARY.exec(stderr[0]!)?.slice(1, 5), ['141', '118', '23', '0']);
  });

  it('reads stdin: CR LF endings, a last line without LF, rejects reported with 1-based line numbers', async () => {
    // Prepare
    const input = Buffer.concat([
      Buffer.from('@room-id=1;tmi-sent-ts=1700000000005 :a!a@a PRIVMSG #one :first\r\n'),
      Buffer.from('\r\n'), // 2: empty
      Buffer.from('PING :tmi.twitch.tv\r\n'), // 3: ignored
      Buffer.from(':b!b@b PRIVMSG #two :bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n'), // 4: invalid UTF-8
      Buffer.from('@bits=x :c!c@c PRIVMSG #three :cheer\n'), // 5: typed tag
      Buffer.from(`:d!d@d PRIVMSG #four :${'z'.repeat(20_000)}\n`), // 6: 20 KB
      Buffer.from('@a=b\n'), // 7: broken
      Buffer.from(':e!e@e PRIVMSG #five :a\0b\n'), // 8: NUL
      Buffer.from(':f!f@f PRIVMSG #six :last, no newline \u{1F600}'), // 9
    ]);
    // Act
    const result = await runParse(['--received-at', '42'], input);
    // Assess
    assert.equal(result.code, 0, result.stderr);
    const events = ndjson(result.stdout) as { channel: string; text: string; received_at: number; raw: string }[];
    assert.deepStrictEqual(
      events.map((e) => [e.channel, e.text]),
      [
        ['one', 'first'],
        ['six', 'last, no newline \u{1F600}'],
      ],
    );
    assert.equal(events[0]!.raw, '@room-id=1;tmi-sent-ts=1700000000005 :a!a@a PRIVMSG #one :first');
    assert.ok(events.every((e) => e.received_at === 42));
    const stderr = result.stderr.trimEnd().split('\n');
    assert.deepStrictEqual(stderr.slice(0, -1), [
      'line 2: empty line',
      'line 4: invalid UTF-8 at byte 26',
      'line 5: tag bits is not a non-negative integer: "x"',
      `line 6: line too long: 20022 bytes (limit ${MAX_LINE_BYTES})`,
      'line 7: tags without a command',
      'line 8: NUL byte at column 24',
    ]);
    assert.deepStrictEqual(SUMMARY.exec(stderr.at(-1)!)?.slice(1, 5), ['9', '2', '1', '6']);
  });

  it('streams input bigger than its read chunks: order kept, long lines and characters split across chunks', async () => {
    // Prepare: ~2 MB so that lines, a 100 KB line and 4-byte characters straddle the 256 KiB chunks.
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      lines.push(
        `@id=m${i};room-id=1;tmi-sent-ts=${1_700_000_000_000 + i} :u${i}!u@u PRIVMSG #c :message ${i} ${'\u{1F600}'.repeat(i % 50)} ${'é'.repeat(i % 7)}`,
      );
      if (i === 3000) lines.push(`:x!x@x PRIVMSG #c :${'\u{1F600}'.repeat(25_000)}`);
    }
    const input = Buffer.from(lines.join('\n') + '\n');
    const file = join(dir, 'big.txt');
    writeFileSync(file, input);
    // Act
    const fromFile = await runParse([file, '--received-at', String(RECEIVED_AT)]);
    const fromStdin = await runParse([`--received-at=${RECEIVED_AT}`], input);
    // Assess
    for (const result of [fromFile, fromStdin]) {
      assert.equal(result.code, 0, result.stderr);
      const ids = (ndjson(result.stdout) as { event_id: string }[]).map((e) => e.event_id);
      assert.deepStrictEqual(
        ids,
        Array.from({ length: 6000 }, (_, i) => `m${i}`),
      );
      const stderr = result.stderr.trimEnd().split('\n');
      assert.deepStrictEqual(stderr.slice(0, -1), [`line 3002: line too long: 100019 bytes (limit ${MAX_LINE_BYTES})`]);
      assert.deepStrictEqual(SUMMARY.exec(stderr.at(-1)!)?.slice(1, 5), ['6001', '6000', '0', '1']);
    }
    assert.equal(fromFile.stdout, fromStdin.stdout);
  });

  it("anchors an id-less line on its channel's next timestamped line, in input order; past 10,000 events behind it or at EOF it takes the fallback", async () => {
    // Prepare: a ROOMSTATE change of q, then more events of r than the output may hold back, then q speaks.
    const msg = (channel: string, i: number) =>
      `@id=${channel}${i};room-id=1;tmi-sent-ts=${1_700_000_000_000 + i} :u!u@u PRIVMSG #${channel} :m${i}`;
    const slowQ = '@room-id=1;slow=30 :tmi.twitch.tv ROOMSTATE #q';
    const short = [msg('q', 0), slowQ, msg('r', 1), msg('r', 2), msg('q', 3), slowQ];
    const long = [slowQ, ...Array.from({ length: 10_001 }, (_, i) => msg('r', i + 1)), msg('q', 20_000)];
    // Act
    const shortRun = await runParse(['--received-at', '1'], Buffer.from(short.join('\n')));
    const longRun = await runParse(['--received-at', '1'], Buffer.from(`${long.join('\n')}\n`));
    // Assess
    const shortIds = (ndjson(shortRun.stdout) as { event_id: string }[]).map((e) => e.event_id);
    assert.deepStrictEqual(
      shortIds,
      (expectedEvents(short, 1) as { event_id: string }[]).map((e) => e.event_id),
    );
    assert.deepStrictEqual([shortIds[0], ...shortIds.slice(2, 5)], ['q0', 'r1', 'r2', 'q3'], 'input order');
    const bare = normalizeLine(slowQ, 1);
    assert.ok(bare.type === 'event');
    const resolvedByNext = (expectedEvents([slowQ, msg('q', 3)], 1) as { event_id: string }[])[0]!.event_id;
    assert.equal(shortIds[1], resolvedByNext, 'the first change waited for q3');
    assert.notEqual(shortIds[5], resolvedByNext, 'the last one met the end of input: fallback on q3 as the previous line');
    const longIds = (ndjson(longRun.stdout) as { event_id: string }[]).map((e) => e.event_id);
    assert.equal(longIds.length, long.length);
    assert.equal(longIds[0], bare.event.event_id, 'held past the bound: fallback with no previous line');
    assert.deepStrictEqual(longIds.slice(1, 4), ['r1', 'r2', 'r3']);
  });

  it('uses the time a line was read as received_at when --received-at is not given', async () => {
    const before = Date.now();
    const result = await runParse([], Buffer.from(':a!a@a PRIVMSG #c :now\n'));
    const afterRun = Date.now();
    assert.equal(result.code, 0, result.stderr);
    const [event] = ndjson(result.stdout) as { received_at: number; sent_at: number }[];
    assert.ok(event !== undefined && event.received_at >= before && event.received_at <= afterRun, JSON.stringify(event));
    assert.equal(event.sent_at, event.received_at);
  });

  it('exits 1 with a clear message when the file cannot be read', async () => {
    const missing = join(dir, 'does-not-exist.txt');
    const result = await runParse([missing]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^poglytics parse: cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
  });

  it('exits 1 with usage on bad arguments', async () => {
    const result = await runParse(['--received-at', 'soon']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--received-at needs milliseconds since the epoch, got "soon"\nusage: poglytics parse/);
  });

  it('stops quietly with exit 0 when stdout is closed early (| head)', async () => {
    // Prepare: far more output than a pipe buffer holds.
    const input = Buffer.concat(Array.from({ length: 60 }, () => CORPUS));
    // Act: close our end of the child's stdout after the first chunk.
    const result = await runParse(['--received-at', '1'], input, (child) => {
      child.stdout!.once('data', () => child.stdout!.destroy());
    });
    // Assess
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE|Error|at /);
  });
});
