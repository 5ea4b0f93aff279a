import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import { describeLoss, lossBound } from '../helpers/lossBound.ts';
import { waitFor } from '../helpers/localPipelineRun.ts';
import { missingFrom } from '../helpers/readKinesisEvents.ts';

const FLUSH_MS = 250;
const SPILL_AFTER_MS = 1000;
/** The stated bound: events still in an ingester's memory (a record fills for FLUSH_MS, then waits at most SPILL_AFTER_MS for Kinesis) plus localhost delivery. */
const WINDOW_MS = FLUSH_MS + SPILL_AFTER_MS + 100;

/** Event ids and raw lines stored in the SQLite file (none while it or its schema is being created). */
function stored(dbPath: string): { event_id: string; raw: string }[] {
  if (!existsSync(dbPath)) return [];
  const db = openSqliteDatabase(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT event_id, raw FROM chat_events').all() as { event_id: string; raw: string }[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

describe('kill -9 of npm start, restarted on the same data folder', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'poglytics-local-kill-'));
  const dbPath = join(dir, 'data', 'poglytics.db');
  const groups: ChildProcess[] = [];
  let sim: Simulator;

  after(async () => {
    for (const child of groups) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `npm start`'s command in its own process group, so that one kill reaches the parent and its ingesters. */
  const startLocal = () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: join(dir, 'data'),
      SQLITE_PATH: dbPath,
      METRICS_PORT: '0',
      API_PORT: '0',
      LOG_LEVEL: 'warn',
      CHANNELS: sim.channels.map((c) => c.login).join(','),
      TWITCH_IRC_URL: sim.ircUrl,
      JOIN_RATE_COUNT: '200',
      JOIN_RATE_WINDOW_MS: '1000',
      KINESIS_FLUSH_MS: String(FLUSH_MS),
      KINESIS_SPILL_AFTER_MS: String(SPILL_AFTER_MS),
    };
    for (const key of [
      'TWITCH_CLIENT_ID',
      'TWITCH_CLIENT_SECRET',
      'CLIENT_ID',
      'CLIENT_SECRET',
      'AWS_ENDPOINT_URL',
      'DATABASE_URL',
      'CLICKHOUSE_URL',
      'SINK',
    ])
      delete env[key];
    const child = spawn(process.execPath, ['bin/poglytics.js', 'local', '--quiet'], {
      env,
      detached: true,
      stdio: ['ignore', 'ignore', process.env.E2E_VERBOSE ? 'inherit' : 'ignore'],
    });
    groups.push(child);
    return child;
  };

  it('misses only events that were still inside the spill window at the kill', async () => {
    // Prepare: a simulator outside the process tree, so that its ground truth spans both runs
    sim = await startSimulator({
      channels: 40,
      messagesPerSecond: 600,
      seed: 21,
      joinLimit: null,
      trafficAutoStart: false,
      groundTruth: { mode: 'full', maxRecords: 1_000_000 },
    });
    const first = startLocal();
    await waitFor(() => sim.stats().joinedChannels === 40, 'the ingesters to join 40 channels', 60_000);
    sim.startTraffic();
    await waitFor(() => stored(dbPath).length > 500, 'events stored by the first run', 60_000);
    await sleep(2000);
    // The consumer falls behind: a writer holding SQLite's lock keeps it from storing for 3 s, so at
    // the kill the stream holds events that only the kept stream emulator can still deliver.
    const locker = new Database(dbPath);
    locker.exec('BEGIN EXCLUSIVE');
    await sleep(3000);

    // Act: kill -9 of the whole process tree under load
    process.kill(-first.pid!, 'SIGKILL');
    const killAt = Date.now();
    sim.stopTraffic();
    await once(first, 'exit');
    locker.exec('ROLLBACK');
    locker.close();
    const storedAtKill = stored(dbPath).length;

    // Act: restart on the same data folder; it drains the journals and the kept stream
    const second = startLocal();
    const truth = sim.groundTruth.records().filter((r) => r.sentAt <= killAt);
    const outsideWindow = truth.filter((r) => r.sentAt < killAt - WINDOW_MS);
    const unstoredAtKill = missingFrom(stored(dbPath) as never, outsideWindow).length;
    await waitFor(
      () => missingFrom(stored(dbPath) as never, outsideWindow).length === 0,
      'the restart to store what the first run had received',
      90_000,
    ).catch(() => undefined);
    await sleep(2000);
    second.kill('SIGINT');
    await once(second, 'exit');

    // Assess
    const rows = stored(dbPath);
    const report = lossBound(truth, missingFrom(rows as never, truth), killAt, killAt - WINDOW_MS);
    process.stdout.write(
      `# ${describeLoss('kill -9 of npm start', report)}; ${storedAtKill} stored at the kill (${unstoredAtKill} sent before the window were not), ${rows.length} after the restart\n`,
    );
    assert.ok(truth.length > 3000, `only ${truth.length} events sent`);
    assert.ok(rows.length > storedAtKill, 'the restart stored nothing that the first run had not');
    assert.ok(unstoredAtKill > 500, `only ${unstoredAtKill} events were in the stream and the journals at the kill`);
    assert.equal(report.lostOutsideWindow, 0, `${describeLoss('kill -9 of npm start', report)} ${JSON.stringify(report.examples)}`);
  });
});
