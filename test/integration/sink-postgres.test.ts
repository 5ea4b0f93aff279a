import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { SinkConnectError } from '../../core/errors.ts';
import { createSink } from '../../core/sinks/createSink.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';
import { PASSWORD_USER, freePort, startScratchPostgres, type ScratchPostgres } from '../helpers/postgres.ts';
import { describeSinkContract } from '../helpers/sinkContract.ts';
import { EDGE, untimedEvent } from '../helpers/untimedCopies.ts';

let server: ScratchPostgres | undefined;
const started = startScratchPostgres().then((s) => (server = s));
after(async () => server?.close());

describeSinkContract('Postgres', async () => createSink({ sink: 'postgres', connectionString: (await started).url }), {
  byIds: (table, ids) => ({ sql: `SELECT * FROM ${table} WHERE event_id = ANY($1)`, params: [ids] }),
  migrationVersions: [1, 2, 3, 4, 5, 6],
});

describe('Postgres sink connection errors', () => {
  let url: URL;
  before(async () => {
    url = new URL((await started).url);
    const client = new pg.Client(url.toString());
    await client.connect();
    await client.query(`CREATE ROLE ${PASSWORD_USER} LOGIN PASSWORD 'right-password'`);
    await client.end();
  });

  it('names the host and the reason when nothing listens on the port', async () => {
    // Prepare
    const port = await freePort();
    const sink = createSink({
      sink: 'postgres',
      connectionString: `postgres://someone:hunter2@127.0.0.1:${port}/db`,
      connectTimeoutMs: 2000,
    });
    // Act
    const error = await sink.write(makeChatEvents(1)).catch((e: unknown) => e);
    await sink.close();
    // Assess
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /connection refused/);
    assert.doesNotMatch(error.message, /hunter2/);
    assert.equal(error.retriable, true);
  });

  it('says the credentials were refused, without the password', async () => {
    // Prepare
    const target = new URL(url);
    target.username = PASSWORD_USER;
    target.password = 'wrong-password';
    const sink = createSink({ sink: 'postgres', connectionString: target.toString() });
    // Act
    const error = await sink.write(makeChatEvents(1)).catch((e: unknown) => e);
    await sink.close();
    // Assess
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, /refused the credentials/);
    assert.match(error.message, new RegExp(url.host.replace(/\./g, '\\.')));
    assert.doesNotMatch(error.message, /wrong-password/);
  });

  it('says when the database does not exist', async () => {
    const target = new URL(url);
    target.pathname = '/no_such_db';
    const sink = createSink({ sink: 'postgres', connectionString: target.toString() });
    const error = await sink.migrate().catch((e: unknown) => e);
    await sink.close();
    assert.ok(error instanceof SinkConnectError, String(error));
    assert.match(error.message, /does not exist/);
  });
});

describe('Postgres sink: two consumers with copies of one untimed line at once', () => {
  it('stores each line once (the lock on the channel’s bucket makes the second writer find the first one’s row)', async () => {
    // Prepare: two sinks (two pools, as two consumer Lambdas); each round one replica's copy to each.
    const url = (await started).url;
    const sinks = [createSink({ sink: 'postgres', connectionString: url }), createSink({ sink: 'postgres', connectionString: url })];
    await sinks[0]!.migrate();
    const rounds = 30;
    try {
      // Act
      for (let r = 0; r < rounds; r++) {
        const raw = `@room-id=1;slow=${r} :tmi.twitch.tv ROOMSTATE #untimedrace`;
        const at = EDGE + r * 1000;
        const copies = [untimedEvent(raw, at, { next: at + 500 }), untimedEvent(raw, at + 40, { next: at + 500 })];
        await Promise.all(sinks.map((sink, i) => sink.write([copies[i]!])));
      }
      // Assess
      const rows = await sinks[0]!.query(`SELECT count(*) AS n FROM chat_events WHERE channel = 'untimedrace'`);
      assert.equal(Number(rows[0]?.n), rounds);
    } finally {
      await Promise.all(sinks.map((s) => s.close()));
    }
  });
});
