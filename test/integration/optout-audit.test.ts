import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../core/aws/clientConfig.ts';
import { directoryDeadLetterStore } from '../../core/deadletter/deadLetterStore.ts';
import { DynamoOptOutAuditLog, FileOptOutAuditLog, optOutAuditPath, type OptOutAuditRecord } from '../../core/optout/optOutAudit.ts';
import { fileOptOutStore, optOutsPath } from '../../core/optout/optOutStores.ts';
import { setEntry } from '../../core/optout/optOuts.ts';
import { sweepOptOuts } from '../../core/optout/sweepOptOuts.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { EMULATOR_REGION, startDynamo, type DynamoEmulator } from '../helpers/emulators.ts';

const A = { id: '7100000001', login: 'leaves_first' };
const B = { id: '7100000002', login: 'leaves_too' };
const SETTLE_MS = 15_000;

describe('the opt-out audit (who, when, how many; never content)', () => {
  let dir: string;
  let sink: Sink;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poglytics-optout-audit-'));
    sink = createSink({ sink: 'sqlite', path: join(dir, 'events.db') });
  });
  after(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records each settled opt-out with its own exact counts, also when two are swept together, and keeps it after opting back in', async () => {
    // Prepare: 5 events by A, 3 by B, 12 by others; two dead letters of A; both opted out 20 s ago (past the settle window)
    const base = makeChatEvents(20, { seed: 2020 });
    const events = base.map((e, i) =>
      i < 5
        ? { ...e, event_id: `audit-a-${i}`, user_id: A.id, user_login: A.login }
        : i < 8
          ? { ...e, event_id: `audit-b-${i}`, user_id: B.id, user_login: B.login }
          : { ...e, event_id: `audit-other-${i}` },
    );
    await sink.write(events);
    const deadLetters = join(dir, 'dead-letter');
    mkdirSync(deadLetters, { recursive: true });
    writeFileSync(
      join(deadLetters, 'batch-1.ndjson'),
      `${JSON.stringify({ line: `@user-id=${A.id} :${A.login}!${A.login}@x PRIVMSG #c :secret words` })}\n` +
        `${JSON.stringify({ line: `@user-id=${A.id} :${A.login}!${A.login}@x PRIVMSG #c :more secret words` })}\n` +
        `${JSON.stringify({ line: '@user-id=1 :someone!someone@x PRIVMSG #c :hi' })}\n`,
    );
    const now = Date.UTC(2026, 11, 5, 12);
    const store = fileOptOutStore(optOutsPath(dir));
    await store.update((o) =>
      setEntry(setEntry(o, 'users', A.id, { login: A.login, at: now - 20_000, by: 'chat' }), 'users', B.id, {
        login: B.login,
        at: now - 20_000,
        by: 'admin',
      }),
    );
    const audit = new FileOptOutAuditLog(optOutAuditPath(dir));
    const sweep = () =>
      sweepOptOuts({ store, sink, audit, deadLetters: [directoryDeadLetterStore(deadLetters)], settleMs: SETTLE_MS, now: () => now });
    // Act: sweep, sweep again (nothing pending), then A opts back in
    const first = await sweep();
    const second = await sweep();
    await store.update((o) => setEntry(o, 'users', A.id, null));
    const records = await audit.list();
    // Assess
    assert.deepEqual(first, { swept: 2, deletedEvents: 8, deletedDeadLetters: 2 });
    assert.deepEqual(second, { swept: 0, deletedEvents: 0, deletedDeadLetters: 0 });
    const expected: OptOutAuditRecord[] = [
      {
        at: now,
        subject: 'user',
        key: A.id,
        login: A.login,
        by: 'chat',
        optedOutAt: now - 20_000,
        sink: 'sqlite',
        deletedEvents: 5,
        deletedDeadLetters: 2,
      },
      {
        at: now,
        subject: 'user',
        key: B.id,
        login: B.login,
        by: 'admin',
        optedOutAt: now - 20_000,
        sink: 'sqlite',
        deletedEvents: 3,
        deletedDeadLetters: 0,
      },
    ];
    assert.deepEqual(records, expected);
    assert.doesNotMatch(readFileSync(optOutAuditPath(dir), 'utf8'), /secret|words/, 'no content in the audit');
    assert.equal(Number((await sink.query('SELECT count(*) AS n FROM chat_events'))[0]?.n), 12, "others' events untouched");
  });

  it('does not record an opt-out still inside the window in which consumers may store its events; records it once it settles', async () => {
    const now = Date.UTC(2026, 11, 5, 13);
    const store = fileOptOutStore(join(dir, 'late-optouts.json'));
    const audit = new FileOptOutAuditLog(join(dir, 'late-audit.jsonl'));
    await store.update((o) => setEntry(o, 'channels', '7200000001', { login: 'late_channel', at: now - 1000, by: 'admin' }));
    await sweepOptOuts({ store, sink, audit, settleMs: SETTLE_MS, now: () => now });
    const early = await audit.list();
    await sweepOptOuts({ store, sink, audit, settleMs: SETTLE_MS, now: () => now + SETTLE_MS });
    assert.deepEqual(early, []);
    assert.deepEqual(
      (await audit.list()).map((r) => [r.subject, r.key, r.at]),
      [['channel', '7200000001', now + SETTLE_MS]],
    );
  });
});

describe('the opt-out audit in the control table (dynalite)', () => {
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  before(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient(awsClientConfig({ region: EMULATOR_REGION, endpoint: dynamo.endpoint }));
  });
  after(async () => {
    client.destroy();
    await dynamo.close();
  });

  it('appends an item per record under the admin partition and lists them all, oldest first', async () => {
    const log = new DynamoOptOutAuditLog(client, dynamo.tableName);
    const record = (i: number): OptOutAuditRecord => ({
      at: Date.UTC(2026, 0, 1) + i * 60_000,
      subject: i % 2 === 0 ? 'user' : 'channel',
      key: String(7300000000 + i),
      login: null,
      by: 'chat',
      optedOutAt: Date.UTC(2026, 0, 1),
      sink: 'clickhouse',
      deletedEvents: i,
      deletedDeadLetters: 0,
    });
    await log.append([record(2), record(0)]);
    await log.append([record(1)]);
    assert.deepEqual(await log.list(), [record(0), record(1), record(2)]);
  });
});
