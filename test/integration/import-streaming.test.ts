import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createSink } from '../../core/sinks/createSink.ts';

// `poglytics import` (issue 13, item 7): bounded memory whatever the line length, gzip input,
// exit 1 when a file gives no event, ids that never depend on the file's mtime or the clock.

const ROOT = new URL('../..', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'poglytics-import-streaming-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fixture = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8');
const fixtureEvents = readFileSync(new URL('../fixtures/irc/irc-real.expected.ndjson', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n')
  .filter((l) => l !== 'null').length;
// Records the child's peak RSS on stderr as it exits.
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kb='+process.resourceUsage().maxRSS+'\\n'))`;

function poglytics(args: string[], env: Record<string, string>, probe = false) {
  const result = spawnSync(process.execPath, [...(probe ? ['--import', RSS_PROBE] : []), 'bin/poglytics.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  const rss = /maxrss_kb=(\d+)/.exec(result.stderr);
  return { code: result.status, stderr: result.stderr, rssKb: rss ? Number(rss[1]) : NaN };
}

async function rows(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const sink = createSink({ sink: 'sqlite', path: db });
  try {
    return await sink.query(sql);
  } finally {
    await sink.close();
  }
}

const count = async (db: string) => Number((await rows(db, 'SELECT count(*) AS n FROM chat_events'))[0]?.n);
const msg = (n: number, text: string) =>
  `@badge-info=;badges=;color=;display-name=Foo;emotes=;id=11111111-2222-3333-4444-${String(n).padStart(12, '0')};room-id=1;tmi-sent-ts=${1709294400000 + n};user-id=2 :foo!foo@foo.tmi.twitch.tv PRIVMSG #bar :${text}`;

describe('poglytics import: streaming, gzip, exit codes, stable ids', () => {
  it('rejects a 120 MB line without holding it: peak RSS stays far below the line, the lines around it are stored', async () => {
    // Prepare: a line, 120 MB without a newline, a line.
    const big = join(root, 'big.log');
    const fd = openSync(big, 'w');
    writeSync(fd, `${msg(1, 'before')}\n`);
    const mib = Buffer.alloc(1 << 20, 0x78);
    for (let i = 0; i < 120; i++) writeSync(fd, mib);
    writeSync(fd, `\n${msg(2, 'after')}\n`);
    closeSync(fd);
    const small = join(root, 'small.log');
    writeFileSync(small, `${msg(3, 'alone')}\n`);
    const db = join(root, 'big.db');

    // Act
    const baseline = poglytics(['import', small], { SQLITE_PATH: db }, true);
    const run = poglytics(['import', big], { SQLITE_PATH: db }, true);
    rmSync(big);

    // Assess
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /big\.log:2: line too long: 125829120 bytes \(limit \d+\)/);
    assert.equal(await count(db), 3);
    const growthMb = (run.rssKb - baseline.rssKb) / 1024;
    process.stderr.write(
      `# peak RSS: ${Math.round(baseline.rssKb / 1024)} MB for a one-line file, ${Math.round(run.rssKb / 1024)} MB with a 120 MB line\n`,
    );
    assert.ok(growthMb < 60, `peak RSS grew by ${growthMb.toFixed(0)} MB for a 120 MB line`);
  });

  it('reads gzip by its magic bytes, whatever the file is called, and stores the same events', async () => {
    const db = join(root, 'gzip.db');
    const gz = join(root, 'chat.log.gz');
    const disguised = join(root, 'chat-gzipped.txt');
    writeFileSync(gz, gzipSync(fixture));
    // Two gzip members one after the other, as `cat a.gz b.gz` gives.
    writeFileSync(disguised, Buffer.concat([gzipSync(fixture.slice(0, 20_000)), gzipSync(fixture.slice(20_000))]));

    const plainDb = join(root, 'plain.db');
    const plainLog = join(root, 'chat.log');
    writeFileSync(plainLog, fixture);

    const plain = poglytics(['import', plainLog], { SQLITE_PATH: plainDb });
    const first = poglytics(['import', gz], { SQLITE_PATH: db });
    const second = poglytics(['import', disguised], { SQLITE_PATH: db });

    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(first.code, 0, first.stderr);
    // The corpus holds a few events twice (the same event seen twice): they count as duplicates.
    const stored = await count(plainDb);
    assert.ok(stored > 100);
    assert.match(first.stderr, new RegExp(` ${stored} inserted, ${fixtureEvents - stored} duplicates, \\d+ ignored, 0 rejected`));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(` 0 inserted, ${fixtureEvents} duplicates, \\d+ ignored, 0 rejected`));
    assert.deepStrictEqual(
      await rows(db, 'SELECT event_id FROM chat_events ORDER BY event_id'),
      await rows(plainDb, 'SELECT event_id FROM chat_events ORDER BY event_id'),
    );
  });

  it('fails (exit 1) for a damaged gzip file, naming it', () => {
    const broken = join(root, 'broken.gz');
    const whole = gzipSync(fixture);
    writeFileSync(broken, whole.subarray(0, whole.length - 100));
    const run = poglytics(['import', broken], { SQLITE_PATH: join(root, 'broken.db') });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read .*broken\.gz: gzip: /);
  });

  it('exits 1 when a file gives no event (empty, protocol only, or not IRC), 0 when it does', () => {
    const env = { SQLITE_PATH: join(root, 'none.db') };
    const cases: [string, string | Buffer][] = [
      ['empty.log', ''],
      ['protocol.log', 'PING :tmi.twitch.tv\n:tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!\n'],
      ['binary.log', Buffer.from([0x00, 0xff, 0x10, 0x0a, 0x42, 0x5a, 0x68, 0x39])],
    ];
    for (const [name, content] of cases) {
      writeFileSync(join(root, name), content);
      const run = poglytics(['import', join(root, name)], env);
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`${name.replace('.', '\\.')}: no events \\(\\d+ lines: \\d+ ignored, \\d+ rejected\\)`));
    }
    writeFileSync(join(root, 'one.log'), `${msg(4, 'one')}\n`);
    assert.equal(poglytics(['import', join(root, 'one.log')], env).code, 0);
    // With several files, one without events is enough to fail the run, and the others are still imported.
    const mixed = poglytics(['import', join(root, 'empty.log'), join(root, 'one.log')], env);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /1 lines .* 0 inserted, 1 duplicates/);
  });

  it('stores nothing new when a file of id-less lines is imported again after `touch` or with another --received-at', async () => {
    const db = join(root, 'touch.db');
    const log = join(root, 'modes.log');
    // ROOMSTATE and NOTICE carry neither `id` nor tmi-sent-ts; the same change twice, apart.
    const lines = [
      '@emote-only=0;followers-only=-1;r9k=0;room-id=1;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #bar',
      msg(5, 'hi'),
      '@room-id=1;slow=10 :tmi.twitch.tv ROOMSTATE #bar',
      '@msg-id=slow_on :tmi.twitch.tv NOTICE #bar :This room is now in slow mode. You may send messages every 10 seconds.',
      msg(6, 'slow'),
      '@room-id=1;slow=0 :tmi.twitch.tv ROOMSTATE #bar',
      msg(7, 'fast'),
      '@room-id=1;slow=10 :tmi.twitch.tv ROOMSTATE #bar',
      '@msg-id=slow_on :tmi.twitch.tv NOTICE #bar :This room is now in slow mode. You may send messages every 10 seconds.',
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    utimesSync(log, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
    const first = poglytics(['import', log], { SQLITE_PATH: db });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await count(db), lines.length, 'every line is its own event, the repeated changes included');

    utimesSync(log, new Date(), new Date()); // touch
    const again = poglytics(['import', log], { SQLITE_PATH: db });
    const otherClock = poglytics(['import', log, '--received-at', '1234567890123'], { SQLITE_PATH: db });

    for (const run of [again, otherClock]) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, / 0 inserted, 9 duplicates/);
    }
    assert.equal(await count(db), lines.length);
  });
});
