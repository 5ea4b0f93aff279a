import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SinkConnectError } from '../../core/errors.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { perRequestChdb } from '../helpers/perRequestChdb.ts';
import { freePort } from '../helpers/postgres.ts';
import { describeSinkContract } from '../helpers/sinkContract.ts';

// chdb allows one on-disk session per process; this file owns it. Settings apply per request, as
// on a ClickHouse server over HTTP (chdb alone keeps every SET for the rest of its session).
const dir = mkdtempSync(join(tmpdir(), 'poglytics-chdb-'));

describeSinkContract(
  'ClickHouse (chdb)',
  async () => createSink({ sink: 'clickhouse', url: 'http://chdb.local:8123', connection: perRequestChdb(dir).connection }),
  {
    byIds: (table, ids) => ({ sql: `SELECT * FROM ${table} WHERE event_id IN {p1:Array(String)}`, params: [ids] }),
    migrationVersions: [1, 2, 3, 4, 5, 6, 7],
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);

describe('ClickHouse sink connection errors', () => {
  it('names the host and the reason when nothing listens on the port, without the password', async () => {
    // Prepare
    const port = await freePort();
    const sink = createSink({ sink: 'clickhouse', url: `http://writer:hunter2@127.0.0.1:${port}`, requestTimeoutMs: 3000 });
    // Act
    const error = await sink.write(makeChatEvents(1)).catch((e: unknown) => e);
    await sink.close();
    // Assess
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /connection refused/);
    assert.doesNotMatch(error.message, /hunter2/);
  });
});
