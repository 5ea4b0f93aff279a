import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { startSimulator, type Simulator } from '../../services/twitch-sim/startSimulator.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';
import { waitFor } from '../helpers/localPipelineRun.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FULL_FOR_MS = 20_000;

/** Event ids and raw lines in the SQLite file (empty while it cannot be read). */
function stored(dbPath: string): { ids: Set<string>; raws: Map<string, number>; rows: number } {
  const empty = { ids: new Set<string>(), raws: new Map<string, number>(), rows: 0 };
  if (!existsSync(dbPath)) return empty;
  const db = openSqliteDatabase(dbPath, { readonly: true });
  try {
    const rows = db.prepare('SELECT event_id, raw FROM chat_events').all() as { event_id: string; raw: string }[];
    const raws = new Map<string, number>();
    for (const r of rows) raws.set(r.raw, (raws.get(r.raw) ?? 0) + 1);
    return { ids: new Set(rows.map((r) => r.event_id)), raws, rows: rows.length };
  } catch {
    return empty;
  } finally {
    db.close();
  }
}

/** Events the simulator delivered to a connection of ours that are not in the database. */
function missing(sim: Simulator, dbPath: string): { delivered: number; missing: GroundTruthRecord[]; rows: number } {
  const db = stored(dbPath);
  const delivered = sim.groundTruth.records().filter((r) => r.cause === 'traffic' && r.connectionIds.length > 0);
  const seenRaw = new Map<string, number>();
  const lost = delivered.filter((r) => {
    if (r.eventId) return !db.ids.has(r.eventId);
    const n = (seenRaw.get(r.raw!) ?? 0) + 1;
    seenRaw.set(r.raw!, n);
    return (db.raws.get(r.raw!) ?? 0) < n;
  });
  return { delivered: delivered.length, missing: lost, rows: db.rows };
}

const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

describe('a full disk under `poglytics local` (SQLite file and data folder on a 2 MiB tmpfs)', { timeout: 360_000 }, () => {
  it('pauses the consumer while the disk is full, never exits, and loses nothing once space returns', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'poglytics-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
    const dbPath = join(dir, 'poglytics.db');
    let sim: Simulator | undefined;
    let child: ChildProcess | undefined;
    let stderr = '';
    try {
      sim = await startSimulator({
        channels: 20,
        messagesPerSecond: 150,
        seed: 1313,
        joinLimit: null,
        groundTruth: { mode: 'full', maxRecords: 1_000_000 },
        trafficAutoStart: false,
      });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CHANNELS: sim.channels.map((c) => c.login).join(','),
        TWITCH_IRC_URL: sim.ircUrl,
        DATA_DIR: dir,
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
        'AWS_ENDPOINT_URL',
        'DATABASE_URL',
        'CLICKHOUSE_URL',
        'SINK',
        'DEAD_LETTER_DIR',
      ])
        delete env[key];
      child = spawn(process.execPath, ['bin/poglytics.js', 'local'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdout!.resume();
      let exitedEarly: number | null | undefined;
      child.once('exit', (code) => (exitedEarly ??= code));
      await waitFor(() => sim!.connections().reduce((n, c) => n + c.channels.length, 0) >= 20, 'the ingester joined', 60_000);
      sim.startTraffic();

      // Act: the disk fills (SQLite WAL, dead letters, journals), stays full for 20 s, then grows.
      await waitFor(
        () => /consumer paused: the \S+ cannot be written \(disk_full\)/.test(stderr),
        'the consumer pausing on a full disk',
        // ~25 s of traffic fill the disk; a loaded CI machine (the Node 22 stage) once needed more than 90.
        180_000,
      );
      assert.ok(freeBytes(dir) < 64 * 1024, `disk full (${freeBytes(dir)} bytes free)`);
      await sleep(FULL_FOR_MS);
      assert.equal(exitedEarly, undefined, `poglytics local exited while the disk was full:\n${stderr.slice(-3000)}`);
      execFileSync('mount', ['-o', 'remount,size=64m', dir]);
      await sleep(5000);
      sim.stopTraffic();
      let last = missing(sim, dbPath);
      await waitFor(() => (last = missing(sim!, dbPath)).missing.length === 0, 'every delivered event stored', 90_000).catch(
        () => undefined,
      );

      // Assess
      assert.equal(exitedEarly, undefined, `poglytics local exited:\n${stderr.slice(-3000)}`);
      assert.ok(last.delivered > 2000, `enough traffic to fill the disk (${last.delivered} events delivered)`);
      assert.deepEqual(
        last.missing.slice(0, 5),
        [],
        `${last.missing.length} of ${last.delivered} delivered events missing (${last.rows} rows stored)\n${stderr.slice(-3000)}`,
      );
      assert.match(stderr, /consumer resumed/);
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, stderr.slice(-2000));
      process.stderr.write(`full disk: ${last.delivered} events delivered, ${last.rows} rows stored, 0 missing\n`);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit').catch(() => undefined);
      }
      await sim?.close();
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
