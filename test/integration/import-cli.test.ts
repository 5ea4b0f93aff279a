import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSink } from '../../core/sinks/createSink.ts';

const root = mkdtempSync(join(tmpdir(), 'poglytics-import-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fixture = readFileSync(new URL('../fixtures/irc/irc-real.txt', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n');
const expected = readFileSync(new URL('../fixtures/irc/irc-real.expected.ndjson', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n');
// Hash ids are given as patterns in the fixture; the `id`-tag ones are exact.
const fixtureIds = new Set(
  expected
    .filter((l) => l !== 'null')
    .map((l) => (JSON.parse(l) as { event_id: unknown }).event_id)
    .filter((id): id is string => typeof id === 'string'),
);

function poglytics(args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(process.execPath, ['bin/poglytics.js', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', ...env },
    input,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('poglytics import', () => {
  const db = join(root, 'import.db');
  const env = { SINK: 'sqlite', SQLITE_PATH: db };
  const log = join(root, 'chat.log');
  const prefixed = [
    '[2024-03-01 12:00:00] @badge-info=;badges=;color=;display-name=Foo;emotes=;id=11111111-2222-3333-4444-555555555555;room-id=1;tmi-sent-ts=1709294400000;user-id=2 :foo!foo@foo.tmi.twitch.tv PRIVMSG #bar :prefixed by a logger',
    '2024-03-01T12:00:01.500Z @emote-only=0;room-id=1 :tmi.twitch.tv ROOMSTATE #bar',
    '@badges=;tmi-sent-ts=yesterday;id=abc :foo!foo@foo.tmi.twitch.tv PRIVMSG #bar :bad timestamp',
  ];
  writeFileSync(log, [...fixture, ...prefixed].join('\r\n') + '\r\n');

  it('stores every event of a raw log and reports rejected lines with their numbers', async () => {
    // Act
    const run = poglytics(['import', log], env);
    // Assess
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`chat\\.log:${fixture.length + 3}: .*tmi-sent-ts`));
    assert.match(run.stderr, /1 rejected/);
    const sink = createSink({ sink: 'sqlite', path: db });
    const ids = new Set((await sink.query('SELECT event_id FROM chat_events')).map((r) => String(r.event_id)));
    for (const id of fixtureIds) assert.ok(ids.has(id), `fixture event ${id} stored`);
    const [roomstate] = await sink.query("SELECT received_at, raw FROM chat_events WHERE channel = 'bar' AND kind = 'roomstate'");
    assert.deepEqual(roomstate, {
      received_at: Date.parse('2024-03-01T12:00:01.500Z'),
      raw: '@emote-only=0;room-id=1 :tmi.twitch.tv ROOMSTATE #bar',
    });
    await sink.close();
  });

  it('adds 0 rows when the same file is imported again, from a file or stdin', async () => {
    // Prepare
    const sink = createSink({ sink: 'sqlite', path: db });
    const before = Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n);
    // Act
    const again = poglytics(['import', log], env);
    const viaStdin = poglytics(
      ['import', '-', '--batch-size', '7'],
      env,
      [...fixture.filter((l) => l.includes('tmi-sent-ts')), prefixed[0]].join('\n'),
    );
    // Assess
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, / 0 inserted/);
    assert.match(viaStdin.stderr, / 0 inserted/);
    assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), before);
    await sink.close();
  });

  it('fails with a clear message for a file it cannot read', () => {
    const run = poglytics(['import', join(root, 'missing.log')], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read .*missing\.log/);
  });
});

describe('poglytics migrate', () => {
  it('applies the schema once and says which version it is at', () => {
    const env = { SQLITE_PATH: join(root, 'migrate.db') };
    const first = poglytics(['migrate'], env);
    const second = poglytics(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'sqlite: schema at version 4 (full-text index of chat event text (FTS5), ban targets index)\n');
    assert.equal(second.stdout, first.stdout);
  });

  it('names the database and the reason when it cannot connect', () => {
    const run = poglytics(['migrate'], { DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/db' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /127\.0\.0\.1:1.*connection refused/);
    assert.doesNotMatch(run.stderr, /s3cret/);
  });
});
