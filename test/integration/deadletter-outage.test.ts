import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { processKinesisBatch } from '../../core/consumer/processKinesisBatch.ts';
import { directoryDeadLetter } from '../../core/deadletter/directoryDeadLetter.ts';
import { s3DeadLetter } from '../../core/deadletter/s3DeadLetter.ts';
import type { DeadLetterEntry } from '../../core/deadletter/types.ts';
import { RecordEncoder } from '../../core/events/kinesisRecordCodec.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { freePort } from '../helpers/postgres.ts';

const entry: DeadLetterEntry = {
  reason: 'invalid JSON',
  line: 'not json',
  lineNumber: 1,
  sequenceNumber: '1',
  shardId: 'shardId-000000000000',
  source: 'kinesis',
  time: new Date(0).toISOString(),
};

/** Just enough of S3 PutObject: each request is answered by `respond`; bodies are kept by key. */
async function startTinyS3(respond: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const objects = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'PUT') objects.set(decodeURIComponent(req.url!.split('?')[0]!), body);
      respond(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, objects, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const s3Client = (endpoint: string) =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    maxAttempts: 2,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('dead letters when the store refuses writes', () => {
  let full: string;
  before(() => {
    full = mkdtempSync(join(tmpdir(), 'poglytics-dl-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
    // Fill the disk to the last block.
    try {
      writeFileSync(join(full, 'filler'), Buffer.alloc(512 * 1024));
    } catch {
      // ENOSPC is the point.
    }
  });
  after(() => {
    execFileSync('umount', ['-l', full]);
    rmSync(full, { recursive: true, force: true });
  });

  it('the directory writer throws a retriable DeadLetterWriteError on ENOSPC and leaves no partial file behind', async () => {
    const writer = directoryDeadLetter(full);
    const big = { ...entry, line: 'x'.repeat(64 * 1024) };
    await assert.rejects(writer.write('kinesis/shardId-000000000000/1', [big]), (error: Error & { retriable?: boolean; code?: string }) => {
      assert.equal(error.name, 'DeadLetterWriteError');
      assert.equal(error.retriable, true);
      assert.equal(error.code, 'ENOSPC');
      return true;
    });
    assert.deepEqual(readdirSync(full), ['filler']);
  });

  it('the consumer reports a disk-full outage and acknowledges no record whose dead letter or events were not written', async () => {
    // Prepare: a valid record, a poison record, another valid record; database and dead letter on the full disk
    const good = new RecordEncoder({ targetBytes: 16 * 1024 }).encode(makeChatEvents(200, { seed: 3 })).map((r) => r.data);
    const datas = [good[0]!, Buffer.from('not a record'), ...good.slice(1)];
    const records = datas.map((data, i) => ({ sequenceNumber: String(1000 + i), shardId: 'shardId-000000000000', data }));
    const sink = createSink({ sink: 'sqlite', path: join(full, 'events.db') });
    // Act
    const outcome = await processKinesisBatch(records, { sink, deadLetter: directoryDeadLetter(join(full, 'dead-letter')) });
    // Assess
    assert.equal(outcome.outage?.reason, 'disk_full', JSON.stringify(outcome.outage));
    assert.deepEqual(
      outcome.batchItemFailures.map((f) => f.itemIdentifier),
      records.map((r) => r.sequenceNumber),
    );
    assert.equal(outcome.deadLettered, 0, 'a dead letter that was not written is not counted');
    await sink.close();
  });

  it('the S3 writer puts one NDJSON object per key', async () => {
    const s3 = await startTinyS3((_req, res) => res.writeHead(200, { ETag: '"x"' }).end());
    try {
      await s3DeadLetter(s3Client(s3.endpoint), 'dl-bucket').write('kinesis/shardId-000000000000/1', [entry]);
      const [key, body] = [...s3.objects][0]!;
      assert.equal(key, '/dl-bucket/dead-letter/kinesis/shardId-000000000000/1.ndjson');
      assert.deepEqual(JSON.parse(body.trim()), entry);
    } finally {
      await s3.close();
    }
  });

  it('the S3 writer throws a retriable DeadLetterWriteError when S3 keeps failing or is unreachable', async () => {
    const s3 = await startTinyS3((_req, res) =>
      res
        .writeHead(503, { 'Content-Type': 'application/xml' })
        .end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'),
    );
    try {
      for (const endpoint of [s3.endpoint, `http://127.0.0.1:${await freePort()}`]) {
        await assert.rejects(
          s3DeadLetter(s3Client(endpoint), 'dl-bucket').write('k', [entry]),
          (error: Error & { retriable?: boolean }) => {
            assert.equal(error.name, 'DeadLetterWriteError', String(error));
            assert.equal(error.retriable, true);
            return true;
          },
        );
      }
    } finally {
      await s3.close();
    }
  });
});
