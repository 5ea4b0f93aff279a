import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSink } from '../../core/sinks/createSink.ts';
import { describeReportsOn, reportFixtureEvents } from '../helpers/reportFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-query-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describeReportsOn('poglytics query reports on SQLite', async () => {
  const sink = createSink({ sink: 'sqlite', path: join(dir, 'reports.db') });
  await sink.migrate();
  return sink;
});

describe('poglytics query (command line)', () => {
  const path = join(dir, 'cli.db');
  const bin = fileURLToPath(new URL('../../bin/poglytics.js', import.meta.url));
  const query = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'query', ...args], {
      encoding: 'utf8',
      env: { ...process.env, SINK: 'sqlite', SQLITE_PATH: path },
      timeout: 30_000,
    });

  before(async () => {
    const sink = createSink({ sink: 'sqlite', path });
    await sink.write(reportFixtureEvents());
    await sink.close();
  });

  it('prints a report as JSON for scripts', () => {
    const result = query('top-channels', '--json', '--limit', '2');
    assert.equal(result.status, 0, result.stderr);
    const output = JSON.parse(result.stdout) as { report: string; rows: unknown[] };
    assert.equal(output.report, 'top-channels');
    assert.deepEqual(output.rows, [
      { channel: 'alpha', messages: 6, chatters: 3, bits: 0 },
      { channel: 'bravo', messages: 4, chatters: 2, bits: 100 },
    ]);
  });

  it('prints a table by default, times in UTC', () => {
    const result = query('raids');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /raided_at\s+raider\s+channel\s+viewers/);
    assert.match(result.stdout, /2024-05-01 12:40:00Z\s+raidery\s+bravo\s+7/);
  });

  it('lists every report on --help and rejects an unknown one', () => {
    const help = query('--help');
    assert.equal(help.status, 0);
    for (const name of [
      'totals',
      'messages-per-second',
      'messages-per-minute',
      'top-channels',
      'top-chatters',
      'subscriptions',
      'moderation',
      'raids',
      'event-mix',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
    }
    const unknown = query('nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown report "nope"/);
  });
});
