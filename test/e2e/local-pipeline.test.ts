import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import type { GroundTruthRecord } from '../../services/twitch-sim/types.ts';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../helpers/localPipelineRun.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StoredRow {
  event_id: string;
  kind: string;
  channel: string;
  raw: string;
}

/** Compares the database with what the simulator delivered to our connections. */
function compareWithGroundTruth(harness: PipelineHarness, options: { allowRepeatsOfUnidentified: boolean }) {
  const db = openSqliteDatabase(harness.dbPath, { readonly: true });
  const rows = db.prepare('SELECT event_id, kind, channel, raw FROM chat_events').all() as StoredRow[];
  db.close();
  const byId = new Map<string, StoredRow[]>();
  const byRaw = new Map<string, number>();
  for (const row of rows) {
    byId.set(row.event_id, [...(byId.get(row.event_id) ?? []), row]);
    byRaw.set(row.raw, (byRaw.get(row.raw) ?? 0) + 1);
  }
  const all: GroundTruthRecord[] = harness.sim.groundTruth.records();
  const delivered = all.filter((r) => r.cause === 'traffic' && r.connectionIds.length > 0);
  const missing: GroundTruthRecord[] = [];
  const wrongKind: string[] = [];
  const perKindExpected: Record<string, number> = {};
  const perKindStored: Record<string, number> = {};
  const unidentified = new Map<string, number>();
  for (const record of delivered) {
    perKindExpected[record.kind] = (perKindExpected[record.kind] ?? 0) + 1;
    if (record.eventId) {
      const stored = byId.get(record.eventId) ?? [];
      if (stored.length === 0) missing.push(record);
      else {
        assert.equal(stored.length, 1, `event ${record.eventId} stored once`);
        if (stored[0]!.kind !== record.kind) wrongKind.push(record.eventId);
        perKindStored[record.kind] = (perKindStored[record.kind] ?? 0) + 1;
      }
    } else unidentified.set(record.raw!, (unidentified.get(record.raw!) ?? 0) + 1);
  }
  for (const [raw, expected] of unidentified) {
    const stored = byRaw.get(raw) ?? 0;
    const kind = all.find((r) => r.raw === raw)!.kind;
    if (stored < expected) missing.push(...all.filter((r) => r.raw === raw).slice(stored));
    else if (!options.allowRepeatsOfUnidentified)
      assert.equal(stored, expected, `line without id stored as often as sent: ${raw.slice(0, 120)}`);
    perKindStored[kind] = (perKindStored[kind] ?? 0) + Math.min(stored, expected);
  }
  const sentRaw = new Set(all.map((r) => r.raw));
  const fabricated = rows.filter((row) => !sentRaw.has(row.raw) && row.kind !== 'roomstate');
  return { delivered: delivered.length, stored: rows.length, missing, wrongKind, perKindExpected, perKindStored, fabricated };
}

describe('the local pipeline end to end against the simulator', { timeout: 180_000 }, () => {
  it('stores every event delivered to a joined channel exactly once', async () => {
    // Prepare
    const harness = await startPipelineHarness({ channels: 60, rate: 300, seed: 7 });
    try {
      await waitFor(async () => (await harness.pipeline.status()).joined >= 60, 'all 60 channels joined');
      // Act
      harness.sim.startTraffic();
      await sleep(8000);
      harness.sim.stopTraffic();
      await sleep(500);
      await harness.pipeline.stop();
      // Assess
      const result = compareWithGroundTruth(harness, { allowRepeatsOfUnidentified: false });
      assert.ok(result.delivered > 1000, `the simulator delivered ${result.delivered} events`);
      assert.deepEqual(result.missing.map((r) => `${r.kind} ${r.eventId ?? r.raw}`).slice(0, 5), []);
      assert.deepEqual(result.wrongKind, []);
      assert.deepEqual(result.perKindStored, result.perKindExpected);
      assert.deepEqual(result.fabricated.map((r) => r.raw).slice(0, 3), []);
      for (const kind of ['message', 'usernotice', 'ban', 'timeout', 'delete'])
        assert.ok((result.perKindExpected[kind] ?? 0) > 0, `traffic included ${kind}`);
    } finally {
      await harness.cleanup();
    }
  });

  it('stays exactly once through a RECONNECT, a replaced ingester, a failing consumer and a corrupt record', async () => {
    const harness = await startPipelineHarness({ channels: 60, rate: 300, seed: 11 });
    try {
      await waitFor(async () => (await harness.pipeline.status()).joined >= 60, 'all 60 channels joined');
      harness.sim.startTraffic();
      const marks: [string, number][] = [];
      await sleep(2000);

      marks.push(['reconnect', Date.now()]);
      // Twitch asks every connection to reconnect.
      assert.ok(harness.sim.injectReconnect() > 0);
      await sleep(2000);

      // ECS replaces a task: SIGTERM, the task flushes and releases its lease, a new one takes over.
      marks.push(['kill', Date.now()]);
      harness.pipeline.supervisor!.kill(0, 'SIGTERM');
      await sleep(1500);

      // The database refuses writes for a moment: a second connection holds the write lock a bit
      // longer than the sink's 5 s busy timeout, so a consumer invocation fails and is retried.
      marks.push(['lock', Date.now()]);
      // (Another process holds the lock: the sink's busy wait blocks this process's event loop.)
      const locker = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked\\n'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 5500);`,
          harness.dbPath,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await once(locker.stdout, 'data');
      await once(locker, 'exit');
      marks.push(['unlock', Date.now()]);

      // A record that is not a compressed NDJSON batch arrives on the stream.
      const kinesis = new KinesisClient(awsClientConfig({ region: 'us-east-1', endpoint: harness.pipeline.endpoint }));
      await kinesis.send(
        new PutRecordCommand({ StreamName: 'poglytics-events', PartitionKey: 'corrupt', Data: Buffer.from('not a record') }),
      );
      kinesis.destroy();

      await waitFor(async () => (await harness.pipeline.status()).joined >= 60, 'channels rejoined after the faults');
      await sleep(2000);
      harness.sim.stopTraffic();
      await sleep(1000);
      const final = await harness.pipeline.stop();

      const result = compareWithGroundTruth(harness, { allowRepeatsOfUnidentified: true });
      if (result.missing.length > 0 && process.env.E2E_VERBOSE) {
        const t0 = Math.min(...harness.sim.groundTruth.records().map((r) => r.sentAt));
        console.error(
          'missing',
          result.missing.length,
          'of',
          result.delivered,
          result.missing
            .slice(0, 40)
            .map((r) => `${r.sentAt - t0}ms conn ${r.connectionIds.join(',')}`)
            .join(' | '),
        );
        console.error('marks', JSON.stringify(marks.map((m) => [m[0], m[1] - t0])));
      }
      assert.ok(result.delivered > 1000, `the simulator delivered ${result.delivered} events`);
      assert.deepEqual(result.missing.map((r) => `${r.kind} ${r.eventId ?? r.raw}`).slice(0, 5), []);
      assert.deepEqual(result.perKindStored, result.perKindExpected);
      assert.ok(final.deadLetters >= 1, 'the corrupt record was dead-lettered');
      assert.ok(final.stored > 0);
      const deadLetterFiles = listFiles(join(harness.dataDir, 'dead-letter'));
      assert.ok(
        deadLetterFiles.some((f) => readFileSync(f, 'utf8').includes('record is neither brotli (PGB1, PGB2) nor gzip data')),
        'the dead letter keeps the corrupt record with its reason',
      );
    } finally {
      await harness.cleanup();
    }
  });
});

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
  } catch {
    return [];
  }
}
