import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { eventOf, line, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';

/**
 * A channel-day is streamed from an open database cursor at the client's pace, and a client
 * that goes away releases the cursor. Seen from SQLite itself: while a reader's transaction is
 * open, a TRUNCATE checkpoint cannot finish (busy = 1); once it is released, it can.
 */
const DAY = Date.UTC(2024, 1, 1);
/** ~30 MB of text: more than the kernel's socket buffers hold, so an unread response must wait. */
const COUNT = 30_000;
let api: ReadApiRun;

before(async () => {
  const events = Array.from({ length: COUNT }, (_, i) => {
    const at = DAY + Math.floor((i / COUNT) * 86_400_000);
    const id = `00000000-0000-4000-b000-${String(i).padStart(12, '0')}`;
    return eventOf(
      line.privmsg({
        channel: 'big',
        roomId: '7',
        login: `user_${i % 300}`,
        userId: String(7000 + (i % 300)),
        text: `line ${i} ${'Kappa '.repeat(160)}`,
        at,
        id,
      }),
      at + 5,
    );
  });
  api = await startReadApi(events);
});
after(() => api.close());

async function checkpointBusy(path: string): Promise<boolean> {
  // New frames in the WAL first: a checkpoint with nothing to copy is never busy.
  const sink = new SqliteSink({ sink: 'sqlite', path });
  await sink.write([
    eventOf(
      line.privmsg({ channel: 'other', roomId: '8', login: 'writer', userId: '8', text: 'hi', at: Date.now(), id: crypto.randomUUID() }),
      Date.now(),
    ),
  ]);
  await sink.close();
  const db = openSqliteDatabase(path);
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result!.busy === 1;
  } finally {
    db.close();
  }
}

it('streams from an open cursor while the client is slow, and releases it when the client leaves', async () => {
  const req = request(`${api.url}/channel/big/2024/2/1`, { agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 200);
  await once(res, 'readable');
  res.pause();
  // The client reads nothing more: the server fills the socket, waits for drain, the cursor stays open.
  await sleep(200);
  assert.equal(await checkpointBusy(api.path), true, 'a read transaction is open while the client has not read the day');

  req.destroy();
  let busy = true;
  for (const deadline = Date.now() + 20_000; busy && Date.now() < deadline;) {
    await sleep(50);
    busy = await checkpointBusy(api.path);
  }
  assert.equal(busy, false, 'the cursor is released once the client is gone');
});

it('the day read to its end is every line, in order', async () => {
  const answer = await fetch(`${api.url}/channel/big/2024/2/1`);
  const lines = (await answer.text()).split('\n');
  assert.equal(lines.length, COUNT + 1);
  assert.equal(lines[0], `[2024-02-1 00:00:00] #big user_0: line 0 ${'Kappa '.repeat(160)}`);
  assert.ok(lines[COUNT - 1]!.startsWith(`[2024-02-1 23:59:57] #big user_${(COUNT - 1) % 300}: line ${COUNT - 1} `));
});
