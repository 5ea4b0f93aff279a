import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { waitFor } from '../helpers/localPipelineRun.ts';

describe('poglytics local (npm start)', { timeout: 120_000 }, () => {
  it('announces the simulator, stores rows under the data folder, and stops in order on SIGINT with exit 0', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'poglytics-local-'));
    const dbPath = join(dir, 'data', 'poglytics.db');
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data'), SQLITE_PATH: dbPath, METRICS_PORT: '0', LOG_LEVEL: 'warn' };
    for (const key of ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET', 'CLIENT_ID', 'CLIENT_SECRET', 'CHANNELS', 'AWS_ENDPOINT_URL', 'DATABASE_URL', 'CLICKHOUSE_URL', 'SINK']) delete env[key];
    const child = spawn(process.execPath, ['bin/poglytics.js', 'local', '--sim-channels', '50', '--sim-rate', '200'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.resume();
    try {
      // Act
      const storedRows = () => {
        if (!existsSync(dbPath)) return 0;
        const db = new Database(dbPath, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare("SELECT count(*) AS n FROM chat_events WHERE kind = 'message'").get() as { n: number }).n;
        } catch {
          return 0; // the schema is being created
        } finally {
          db.close();
        }
      };
      await waitFor(() => storedRows() > 50, 'messages stored in the SQLite file', 90_000);
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      // Assess
      assert.equal(code, 0, stderr.slice(-2000));
      assert.match(stderr, /SIMULATED TWITCH CHAT/);
      assert.match(stderr, /stopped after \d+ s · \d+ events stored/);
      assert.ok(storedRows() > 50);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
