import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { ChatEventHub } from '../../core/read/chatEventHub.ts';
import { SqliteChatReader } from '../../core/read/sqliteChatReader.ts';
import { SqliteSink } from '../../core/sinks/sqlite/sqliteSink.ts';
import { createApiServer } from '../../services/api/createApiServer.ts';
import { publishingSink } from '../../services/local/publishingSink.ts';
import { ALL_EVENTS, E, PAJLADA, T } from '../helpers/readApiDataset.ts';
import { eventOf, get, line, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';
import { openSse, type SseMessage } from '../helpers/sseClient.ts';

/** `/channel/{c}/live` (docs/read-api.md, "Live tail"): Server-Sent Events of new events. */
const P = { channel: 'pajlada', roomId: '11148817' };
const F = { channel: 'forsen', roomId: '22484632' };
const uuid = (n: number) => `00000000-0000-4000-c000-${String(n).padStart(12, '0')}`;
let serial = 0;
/** A new PRIVMSG `ms` after the newest stored pajlada event. */
function fresh(ms: number, where = P): ChatEvent {
  const n = ++serial;
  const at = T.mar5 + ms;
  return eventOf(line.privmsg({ ...where, login: 'randers', userId: '40286300', text: `live ${n}`, at, id: uuid(n) }), at + 5);
}
const idOf = (m: SseMessage) => (JSON.parse(m.data) as { id: string }).id;
const sseIdOf = (e: ChatEvent) => `${e.sent_at}/${e.event_id}`;

describe('the live tail on poglytics serve (polling the database)', { timeout: 30_000 }, () => {
  let api: ReadApiRun;
  let writer: SqliteSink;
  before(async () => {
    api = await startReadApi(ALL_EVENTS, { livePollMs: 10, heartbeatMs: 60_000, liveTailsPerClient: 2 });
    writer = new SqliteSink({ sink: 'sqlite', path: api.path });
  });
  after(async () => {
    await writer.close();
    await api.close();
  });

  it("sends the channel's events stored after it opened, in order, once each, with their ids; not other channels'", async () => {
    // Prepare
    const tail = await openSse(`${api.url}/channel/pajlada/live`);
    const [a, b, c, late, other] = [fresh(1000), fresh(2000), fresh(3000), fresh(500), fresh(2500, F)];
    // Act: two batches, the second with a line that arrives late (older sent_at) and a repeat
    await writer.write([a, other, b]);
    const first = [await tail.next(), await tail.next()];
    await writer.write([c, late, a]);
    const second = [await tail.next(), await tail.next()];
    tail.close();
    // Assess
    assert.equal(tail.status, 200);
    assert.equal(tail.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(tail.headers['cache-control'], 'no-cache');
    assert.deepEqual(first.map(idOf), [a.event_id, b.event_id]);
    assert.deepEqual(
      first.map((m) => m.id),
      [sseIdOf(a), sseIdOf(b)],
    );
    assert.deepEqual(second.map(idOf).sort(), [c.event_id, late.event_id].sort());
    const message = JSON.parse(first[0]!.data) as Record<string, unknown>;
    assert.deepEqual([message.text, message.username, message.channel, message.raw], ['live 1', 'randers', 'pajlada', a.raw]);
  });

  it('resumes after Last-Event-ID: the stored events after it first, then live ones', async () => {
    // Act
    const tail = await openSse(`${api.url}/channel/pajlada/live`, { 'Last-Event-ID': sseIdOf(E.m3) });
    const replayed = [await tail.next(), await tail.next()];
    const next = fresh(9000);
    await writer.write([next]);
    let live = await tail.next();
    // Events written by the test before this one (the first test's) are replayed too: skip to the new one.
    while (idOf(live) !== next.event_id) live = await tail.next();
    tail.close();
    // Assess
    assert.deepEqual(replayed.map(idOf), [PAJLADA[PAJLADA.indexOf(E.m3) + 1]!.event_id, ...(await storedAfter(E.m4)).slice(0, 1)]);
    assert.equal(idOf(live), next.event_id);
  });

  it('sends heartbeat comments', async () => {
    const quick = await startReadApi(ALL_EVENTS, { livePollMs: 10, heartbeatMs: 5 });
    try {
      const tail = await openSse(`${quick.url}/channel/forsen/live`);
      await tail.comment('heartbeat');
      tail.close();
    } finally {
      await quick.close();
    }
  });

  it('refuses a client a tail more than the limit with 429, and takes one again once a tail closes', async () => {
    const one = await openSse(`${api.url}/channel/pajlada/live`);
    const two = await openSse(`${api.url}/channel/forsen/live`);
    const three = await openSse(`${api.url}/channel/pajlada/live`);
    assert.deepEqual([one.status, two.status, three.status], [200, 200, 429]);
    assert.match(await three.text(), /at most 2/);
    assert.ok(three.headers['retry-after']);
    one.close();
    // The server sees the close a moment later: ask until it has.
    let again = await openSse(`${api.url}/channel/pajlada/live`);
    while (again.status === 429) again = await openSse(`${api.url}/channel/pajlada/live`);
    assert.equal(again.status, 200);
    again.close();
    two.close();
  });

  it('answers 404 for an unknown channel and 400 for a Last-Event-ID it did not send', async () => {
    assert.equal((await get(`${api.url}/channel/nobody/live`)).status, 404);
    const bad = await get(`${api.url}/channel/pajlada/live`, { 'Last-Event-ID': 'yesterday' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Last-Event-ID/);
  });

  /** pajlada's stored events after `event`, in sent_at order, by the reader (what a replay must send). */
  async function storedAfter(event: ChatEvent): Promise<string[]> {
    const reader = new SqliteChatReader(api.path);
    const ids: string[] = [];
    for await (const e of reader.events({ channel: 'pajlada' }, { fromMs: event.sent_at + 1, toMs: Number.MAX_SAFE_INTEGER }))
      ids.push(e.event_id);
    await reader.close();
    return ids;
  }
});

describe('the live tail on npm start (the consumer publishes through the hub)', { timeout: 30_000 }, () => {
  it('sends each batch the consumer stored, once, as soon as it is stored', async () => {
    // Prepare: the stored dataset, a hub, and the sink the consumer writes through
    const api = await startReadApi(ALL_EVENTS);
    const hub = new ChatEventHub();
    const reader = new SqliteChatReader(api.path);
    const server = createApiServer({ reader, live: hub, heartbeatMs: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sink = publishingSink(new SqliteSink({ sink: 'sqlite', path: api.path }), hub);
    try {
      const tail = await openSse(`${url}/channel/forsen/live`);
      const [lost, a, b, p] = [fresh(50, F), fresh(100, F), fresh(200, F), fresh(300)];
      const failing = publishingSink(
        {
          name: 'sqlite',
          migrate: async () => undefined,
          query: async () => [],
          close: async () => undefined,
          write: () => Promise.reject(new Error('disk full')),
        },
        hub,
      );
      // Act: a batch that is not stored, a batch, the same batch again (a retried Kinesis batch), another
      await assert.rejects(failing.write([lost]), /disk full/);
      await sink.write([a, p]);
      await sink.write([a, p]);
      await sink.write([b]);
      const got = [await tail.next(), await tail.next()];
      tail.close();
      // Assess: forsen's, once each; and they are stored (the hub heard after the write)
      assert.deepEqual(got.map(idOf), [a.event_id, b.event_id]);
      const stored = JSON.parse((await get(`${url}/channel/forsen/user/randers/search?q=live&json`)).text) as { messages: unknown[] };
      assert.equal(stored.messages.length, 2);
    } finally {
      await sink.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reader.close();
      await api.close();
    }
  });
});
