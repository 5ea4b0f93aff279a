import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createSink } from '../../core/sinks/createSink.ts';
import { makeChatEvents, makeSnapshots } from '../helpers/chatEvents.ts';

const dir = mkdtempSync(join(tmpdir(), 'poglytics-migrate-'));
const dbPath = join(dir, 'poglytics.db');

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Poglytics/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'Migration',
    ResourceType: 'Custom::PoglyticsMigration',
    ResourceProperties: { ServiceToken: 'token', Sink: 'sqlite', SourceHash: 'abc' },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update')
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: 'poglytics-migration-request-1',
      OldResourceProperties: base.ResourceProperties,
    };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: 'poglytics-migration-request-1' };
}

describe('migrate custom resource handler', () => {
  let handler: typeof import('../../lambdas/migrate/handler.ts').handler;
  before(async () => {
    // The handler reads the sink from the environment exactly like the Lambda does on AWS.
    process.env.SINK = 'sqlite';
    process.env.SQLITE_PATH = dbPath;
    ({ handler } = await import('../../lambdas/migrate/handler.ts'));
  });
  after(() => {
    delete process.env.SINK;
    delete process.env.SQLITE_PATH;
    rmSync(dir, { recursive: true, force: true });
  });

  test('creates the schema on Create and keeps the physical id stable on Update', async () => {
    const created = await handler(cfnEvent('Create'));
    assert.equal(created.PhysicalResourceId, 'poglytics-migration-request-1');
    assert.equal(created.Data.Sink, 'sqlite');
    const updated = await handler(cfnEvent('Update'));
    assert.equal(updated.PhysicalResourceId, created.PhysicalResourceId);

    const sink = createSink({ sink: 'sqlite', path: dbPath });
    try {
      const rows = await sink.query("SELECT name FROM sqlite_master WHERE name IN ('chat_events', 'stream_snapshots') ORDER BY name");
      assert.deepEqual(
        rows.map((r) => r.name),
        ['chat_events', 'stream_snapshots'],
      );
    } finally {
      await sink.close();
    }
  });

  test('leaves the data in place on Delete', async () => {
    // Prepare: rows in both tables (an empty table would prove nothing about the data)
    const writer = createSink({ sink: 'sqlite', path: dbPath });
    try {
      assert.deepEqual(await writer.write([...makeChatEvents(25, { seed: 5 }), ...makeSnapshots(3)]), { inserted: 28, duplicates: 0 });
    } finally {
      await writer.close();
    }
    // Act
    const deleted = await handler(cfnEvent('Delete'));
    // Assess
    assert.equal(deleted.PhysicalResourceId, 'poglytics-migration-request-1');
    const sink = createSink({ sink: 'sqlite', path: dbPath });
    try {
      assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), 25);
      assert.equal(Number((await sink.query('SELECT count(*) AS n FROM stream_snapshots'))[0]?.n), 3);
    } finally {
      await sink.close();
    }
  });
});
