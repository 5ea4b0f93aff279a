import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { directoryDeadLetterStore, s3DeadLetterStore, type DeadLetterStore } from '../../core/deadletter/deadLetterStore.ts';
import { directoryDeadLetter } from '../../core/deadletter/directoryDeadLetter.ts';
import { readDeadLetterItem } from '../../core/deadletter/readDeadLetterItem.ts';
import { DEFAULT_DEAD_LETTER_PREFIX, ON_FAILURE_PREFIX } from '../../core/deadletter/s3DeadLetter.ts';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { createLogger } from '../../core/log.ts';
import { FileOptOutAuditLog, optOutAuditPath } from '../../core/optout/optOutAudit.ts';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import { setEntry } from '../../core/optout/optOuts.ts';
import { sweepOptOuts } from '../../core/optout/sweepOptOuts.ts';
import { redriveDeadLetters } from '../../core/deadletter/redriveDeadLetters.ts';
import { listSelector, optOutMatcher } from '../../core/optout/optOutMatcher.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { toLambdaRecord } from '../../services/local/kinesisEventSourceMapping.ts';
import { onFailureToDeadLetter } from '../../services/local/onFailureToDeadLetter.ts';
import { tempDir } from '../helpers/ingesterFixture.ts';
import { assertSameIds, chat, LEAVER, leaverOptedOut, privmsg, records, touchesLeaver } from '../helpers/optOutJournalFixture.ts';
import { startTinyS3 } from '../helpers/tinyS3.ts';

const SHARD = 'shardId-000000000000';
const NOW = Date.UTC(2026, 11, 5, 12);
const ids = (events: readonly { event_id: string }[]) => events.map((e) => e.event_id).sort();
const lambdaRecord = (events: readonly ChatEvent[], seq: number) =>
  toLambdaRecord(SHARD, { SequenceNumber: String(49_000_000 + seq), Data: records(events, 1000)[0]!.data }, 'us-east-1');
/** Lambda's S3 on-failure destination: one invocation record, the batch as a JSON string in `payload`. */
const invocationRecord = (batches: readonly (readonly ChatEvent[])[]) =>
  JSON.stringify({
    version: '1.0',
    requestContext: { condition: 'RetryAttemptsExhausted', functionArn: 'arn:aws:lambda:us-east-1:1:function:consumer' },
    KinesisBatchInfo: { shardId: SHARD, batchSize: batches.length },
    payload: JSON.stringify({ Records: batches.map((b, i) => lambdaRecord(b, i)) }),
  });
const rejectEntry = (line: string) =>
  `${JSON.stringify({ reason: 'invalid tag', line, lineNumber: 3, sequenceNumber: '1', shardId: SHARD, source: 'kinesis', time: '' })}\n`;

/** Every item of the stores decoded as `poglytics redrive` reads it: events, and whatever still fails. */
async function decodedItems(stores: readonly DeadLetterStore[]) {
  const events: ChatEvent[] = [];
  const texts: string[] = [];
  let items = 0;
  for (const store of stores)
    for await (const key of store.list()) {
      items++;
      const contents = readDeadLetterItem(await store.read(key));
      events.push(...(contents.events as ChatEvent[]));
      texts.push(JSON.stringify(contents));
    }
  return { events, texts, items };
}

async function sweep(dir: string, deadLetters: DeadLetterStore[]) {
  const store = fileOptOutStore(optOutsPath(dir));
  await store.update((o) => setEntry(o, 'users', LEAVER.id, { login: LEAVER.login, at: NOW - 20_000, by: 'chat' }));
  const sink = createSink({ sink: 'sqlite', path: join(dir, 'events.db') });
  const audit = new FileOptOutAuditLog(optOutAuditPath(dir));
  try {
    const result = await sweepOptOuts({ store, sink, audit, deadLetters, settleMs: 15_000, now: () => NOW });
    return { result, audit: await audit.list() };
  } finally {
    await sink.close();
  }
}

describe('opt-out deletion in the on-failure dead letters', () => {
  it('rewrites local on-failure records and Lambda invocation records without the opted-out user, and deletes what only held them', async () => {
    const dir = tempDir('optout-onfailure-');
    try {
      // Prepare: three on-failure records as the local runner writes them (mixed, only the leaver, nobody), an invocation record, IRC rejects
      const events = chat(400);
      const [mixed, mixed2, clean] = [
        events.slice(0, 100),
        events.slice(100, 200),
        events.slice(300, 400).filter((e) => !touchesLeaver(e)),
      ];
      const leaverOnly = events.slice(200, 300).filter(touchesLeaver);
      const dl = join(dir.path, 'dead-letter');
      const write = onFailureToDeadLetter(directoryDeadLetter(dl), { logger: createLogger('error'), counted: () => undefined });
      await write([lambdaRecord(mixed, 1), lambdaRecord(leaverOnly, 2), lambdaRecord(clean, 3)], 'batch item failure after 6 attempts');
      mkdirSync(dl, { recursive: true });
      writeFileSync(join(dl, 'lambda-invocation.ndjson'), invocationRecord([mixed2, leaverOnly.slice(0, 5)]));
      writeFileSync(
        join(dl, 'rejects.ndjson'),
        rejectEntry(privmsg(900, LEAVER)) + rejectEntry(privmsg(901, { id: '7299999999', login: 'stays' })),
      );
      const stores = [directoryDeadLetterStore(dl)];
      const before = await decodedItems(stores);
      const others = before.events.filter((e) => !touchesLeaver(e));
      const leaverEvents = before.events.length - others.length;
      assert.ok(before.texts.some((t) => t.includes(LEAVER.id)));
      // Act
      const { result, audit } = await sweep(dir.path, stores);
      // Assess: nothing of the leaver left in any decoded item; everyone else's events all there, once
      const after = await decodedItems(stores);
      assert.deepEqual(
        after.texts.filter((t) => t.includes(LEAVER.id) || t.includes(LEAVER.login)),
        [],
      );
      assertSameIds(after.events, others);
      assert.equal(result.deletedDeadLetters, leaverEvents + 1, 'every event of the leaver, and their rejected line');
      assert.equal(audit[0]?.deletedDeadLetters, leaverEvents + 1);
      assert.equal(after.items, before.items - 1, 'the record that held only the leaver is deleted');
      assert.ok(!readdirSync(dl).some((n) => n.includes(`_${49_000_002}`)));
      assert.match(readFileSync(join(dl, 'rejects.ndjson'), 'utf8'), /7299999999/);
      assert.ok(existsSync(join(dl, `on-failure_${SHARD}_${49_000_003}.ndjson`)));
    } finally {
      dir.remove();
    }
  });

  it('does the same for the S3 objects: Lambda’s under aws/lambda/ and ours under dead-letter/', async () => {
    const dir = tempDir('optout-onfailure-s3-');
    const s3 = await startTinyS3();
    try {
      // Prepare
      const events = chat(300);
      const put = (key: string, body: string) => s3.objects.set(`dl-bucket/${key}`, Buffer.from(body));
      put(
        `${ON_FAILURE_PREFIX}0b2d-uuid/${SHARD}/2026/12/05/2026-12-05T11.58.00-1`,
        invocationRecord([events.slice(0, 100), events.slice(100, 150)]),
      );
      put(
        `${ON_FAILURE_PREFIX}0b2d-uuid/${SHARD}/2026/12/05/2026-12-05T11.59.00-2`,
        invocationRecord([events.slice(150, 200).filter(touchesLeaver)]),
      );
      const onFailureEntry = JSON.stringify({
        reason: 'aged out',
        line: records(events.slice(200, 300), 1000)[0]!.data.toString('base64'),
        lineNumber: 0,
        sequenceNumber: '5',
        shardId: SHARD,
        source: 'kinesis-on-failure',
        time: '',
      });
      put(`${DEFAULT_DEAD_LETTER_PREFIX}on-failure/${SHARD}/5.ndjson`, `${onFailureEntry}\n`);
      const stores = [
        s3DeadLetterStore(s3.client, 'dl-bucket', DEFAULT_DEAD_LETTER_PREFIX),
        s3DeadLetterStore(s3.client, 'dl-bucket', ON_FAILURE_PREFIX),
      ];
      const before = await decodedItems(stores);
      const others = before.events.filter((e) => !touchesLeaver(e));
      // Act
      const { result } = await sweep(dir.path, stores);
      // Assess
      const after = await decodedItems(stores);
      assert.deepEqual(
        after.texts.filter((t) => t.includes(LEAVER.id)),
        [],
      );
      assertSameIds(after.events, others);
      assert.equal(result.deletedDeadLetters, before.events.length - others.length);
      assert.equal(s3.objects.size, 2, 'the object that held only the leaver is deleted');
    } finally {
      await s3.close();
      dir.remove();
    }
  });

  it('redrive deletes, never stores, what the list names in an item written after the sweep settled', async () => {
    const dir = tempDir('optout-redrive-');
    const sink = createSink({ sink: 'sqlite', path: join(dir.path, 'events.db') });
    try {
      // Prepare: the leaver opted out and settled; then a record holding their events fails and lands in the dead letter
      const events = chat(200);
      const dl = join(dir.path, 'dead-letter');
      const write = onFailureToDeadLetter(directoryDeadLetter(dl), { logger: createLogger('error'), counted: () => undefined });
      await write([lambdaRecord(events.slice(0, 100), 1), lambdaRecord(events.slice(100, 200).filter(touchesLeaver), 2)], 'aged out');
      const store = directoryDeadLetterStore(dl);
      // Act
      const report = await redriveDeadLetters({ sink, store, optOuts: optOutMatcher(listSelector(leaverOptedOut())) });
      // Assess: the sink has everyone else, the redriven copies nothing of the leaver
      const reader = openSqliteDatabase(join(dir.path, 'events.db'), { readonly: true });
      const stored = reader.prepare('SELECT event_id FROM chat_events').pluck().all() as string[];
      const leaverRows = reader
        .prepare('SELECT count(*) FROM chat_events WHERE user_id = ? OR target_user_id = ?')
        .pluck()
        .get(LEAVER.id, LEAVER.id);
      reader.close();
      assert.deepEqual(stored.sort(), ids(events.slice(0, 100).filter((e) => !touchesLeaver(e))));
      assert.equal(leaverRows, 0);
      assert.equal(report.optedOut, events.filter(touchesLeaver).length);
      const moved = await decodedItems([directoryDeadLetterStore(join(dl, 'redriven'))]);
      assert.equal(moved.items, 1, 'the item that held only the leaver is deleted, not moved');
      assert.ok(!moved.texts.some((t) => t.includes(LEAVER.id)));
    } finally {
      await sink.close();
      dir.remove();
    }
  });
});
