import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { waitFor } from '../helpers/localPipelineRun.ts';

/** Chat messages in the SQLite file (0 while it or its schema is being created). */
function storedRows(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = openSqliteDatabase(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM chat_events WHERE kind = 'message'").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** Runs `poglytics local` on the simulator until 50 more messages are stored, then stops it with SIGINT. */
async function runUntilStored(
  dir: string,
): Promise<{ code: number | null; stderr: string; stored: number; duplicates: number; apiChannels: number }> {
  const dbPath = join(dir, 'data', 'poglytics.db');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    SQLITE_PATH: dbPath,
    METRICS_PORT: '0',
    API_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  for (const key of [
    'TWITCH_CLIENT_ID',
    'TWITCH_CLIENT_SECRET',
    'CLIENT_ID',
    'CLIENT_SECRET',
    'CHANNELS',
    'AWS_ENDPOINT_URL',
    'DATABASE_URL',
    'CLICKHOUSE_URL',
    'SINK',
  ])
    delete env[key];
  const before = storedRows(dbPath);
  const child = spawn(process.execPath, ['bin/poglytics.js', 'local', '--sim-channels', '50', '--sim-rate', '200'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.resume();
  try {
    await waitFor(() => storedRows(dbPath) > before + 50, 'messages stored in the SQLite file', 90_000);
    // The read API it announced serves what was stored, while the capture runs.
    const api = /read API (http:\/\/\S+)\/channels/.exec(stderr)?.[1];
    assert.ok(api, `no read API announced: ${stderr.slice(-500)}`);
    const channels = (await (await fetch(`${api}/channels`)).json()) as { channels: { name: string; userID: string }[] };
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    const summary = /stopped after \d+ s · (\d+) events stored(?: \((\d+) duplicates skipped\))?/.exec(stderr);
    return {
      code,
      stderr,
      stored: Number(summary?.[1] ?? -1),
      duplicates: Number(summary?.[2] ?? 0),
      apiChannels: channels.channels.length,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('poglytics local (npm start)', { timeout: 180_000 }, () => {
  it('announces the simulator, stores rows under the data folder, stops in order on SIGINT with exit 0, and stores new events when run again', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'poglytics-local-'));
    try {
      // Act
      const first = await runUntilStored(dir);
      const second = await runUntilStored(dir);

      // Assess
      assert.equal(first.code, 0, first.stderr.slice(-2000));
      assert.match(first.stderr, /SIMULATED TWITCH CHAT/);
      assert.ok(first.stored > 50, first.stderr.slice(-500));
      assert.ok(first.apiChannels > 0, 'the read API lists the channels with stored chat');
      assert.equal(second.code, 0, second.stderr.slice(-2000));
      // With the first run's simulator seed most of the second run's events were repeats, skipped
      // by the event_id dedupe (278 of 591 when measured); a new seed makes new events.
      assert.ok(second.stored > 50, second.stderr.slice(-500));
      assert.ok(second.duplicates * 10 < second.stored, `second run: ${second.stored} stored, ${second.duplicates} duplicates skipped`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
