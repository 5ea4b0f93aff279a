import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_EVENTS, E, FEB1, PAJLADA, T } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';

/** Compatibility of the log routes with justlog/rustlog (docs/read-api.md) on the SQLite sink. */
let api: ReadApiRun;
before(async () => {
  api = await startReadApi(ALL_EVENTS, { now: () => Date.parse('2024-03-05T12:00:00Z'), random: () => 0 });
});
after(() => api.close());

const ids = (body: string) => (JSON.parse(body) as { messages: { id: string }[] }).messages.map((m) => m.id);
const idsOf = (events: readonly { event_id: string }[]) => events.map((e) => e.event_id);

const FEB1_TEXT = [
  '[2024-02-1 00:00:00] #pajlada jun1orrrr: first of february',
  "[2024-02-1 12:00:00] #pajlada randers subscribed at Tier 1. They've subscribed for 22 months! Great stream 🐸",
  "[2024-02-1 12:00:01] #pajlada tetyys subscribed at Tier 1. They've subscribed for 2 months!",
  '[2024-02-1 13:00:00] #pajlada jun1orrrr has been timed out for 600 seconds',
  '[2024-02-1 13:00:01] #pajlada tetyys has been banned',
  '[2024-02-1 13:00:02] #pajlada Chat has been cleared',
  "[2024-02-1 13:00:03] #pajlada randers's message has been deleted: oops; a \\s b",
  '[2024-02-1 13:00:04] #pajlada This room is now in emote-only mode.',
  '[2024-02-1 13:00:05] #pajlada Room state: emote-only=1, followers-only=-1, r9k=0, slow=0, subs-only=0',
  '[2024-02-1 23:59:59] #pajlada randers: waves',
];

describe('a channel day', () => {
  it('is the UTC day [00:00, 24:00) as justlog text, every kind in sent_at order', async () => {
    const answer = await get(`${api.url}/channel/pajlada/2024/2/1`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.text, FEB1_TEXT.join('\n') + '\n');
  });

  it('is the same day by room id, zero-padded or not, with a trailing slash', async () => {
    for (const path of ['/channelid/11148817/2024/2/1', '/channel/pajlada/2024/02/01/', '/channel/PAJLADA/2024/2/1']) {
      const answer = await get(`${api.url}${path}?json`);
      assert.equal(answer.status, 200, path);
      assert.deepEqual(ids(answer.text), idsOf(FEB1), path);
    }
  });

  it('as json: {"messages":[…]} with justlog/rustlog field names and go-twitch-irc types', async () => {
    const answer = await get(`${api.url}/channel/pajlada/2024/2/1?json`);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    const { messages } = JSON.parse(answer.text) as { messages: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(messages[0]!), ['text', 'username', 'displayName', 'channel', 'timestamp', 'id', 'type', 'raw', 'tags']);
    assert.deepEqual(messages[0], {
      text: 'first of february',
      username: 'jun1orrrr',
      displayName: 'jun1orrrr',
      channel: 'pajlada',
      timestamp: '2024-02-01T00:00:00.000Z',
      id: E.m2.event_id,
      type: 1,
      raw: E.m2.raw,
      tags: E.m2.tags,
    });
    assert.deepEqual(
      messages.map((m) => m.type),
      [1, 4, 4, 2, 2, 2, 13, 6, 3, 1],
    );
    const timeout = messages[3]!;
    assert.equal(timeout.username, 'jun1orrrr');
    assert.equal(timeout.text, 'jun1orrrr has been timed out for 600 seconds');
    assert.deepEqual(
      messages.map((m) => m.text),
      FEB1_TEXT.map((l) => l.replace(/^\[[^\]]+\] #pajlada (jun1orrrr: |randers: )?/, '')),
    );
  });

  it('as json by type=json, Accept or Content-Type: application/json', async () => {
    for (const [query, headers] of [
      ['?type=json', {}],
      ['', { accept: 'application/json' }],
      ['', { 'content-type': 'application/json' }],
    ] as const) {
      const answer = await get(`${api.url}/channel/pajlada/2024/2/1${query}`, headers);
      assert.deepEqual(ids(answer.text), idsOf(FEB1), `${query} ${JSON.stringify(headers)}`);
    }
  });

  it('as jsonBasic: text, displayName, timestamp, id, tags', async () => {
    const answer = await get(`${api.url}/channel/pajlada/2024/2/1?jsonBasic`);
    const { messages } = JSON.parse(answer.text) as { messages: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(messages[1]!), ['text', 'displayName', 'timestamp', 'id', 'tags']);
    assert.equal(messages[1]!.text, "randers subscribed at Tier 1. They've subscribed for 22 months! Great stream 🐸");
    assert.deepEqual(
      messages.map((m) => m.id),
      idsOf(FEB1),
    );
  });

  it('as raw: the received lines byte for byte, one per line', async () => {
    const answer = await get(`${api.url}/channel/pajlada/2024/2/1?raw`);
    assert.ok(answer.bytes.equals(Buffer.from(FEB1.map((e) => e.raw + '\n').join(''), 'utf8')));
    const typed = await get(`${api.url}/channel/pajlada/2024/2/1?type=raw`);
    assert.ok(typed.bytes.equals(answer.bytes));
  });

  it('as ndjson: one full message per line', async () => {
    const answer = await get(`${api.url}/channel/pajlada/2024/2/1?ndjson`);
    assert.equal(answer.headers['content-type'], 'application/x-ndjson');
    const lines = answer.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; raw: string });
    assert.deepEqual(
      lines.map((l) => l.id),
      idsOf(FEB1),
    );
    assert.equal(lines[6]!.raw, E.clearmsg.raw);
  });

  it('reverse, limit and offset apply in the database, after ordering', async () => {
    const q = async (query: string) => ids((await get(`${api.url}/channel/pajlada/2024/2/1?json&${query}`)).text);
    assert.deepEqual(await q('reverse'), idsOf([...FEB1].reverse()));
    assert.deepEqual(await q('reverse=false'), idsOf(FEB1));
    assert.deepEqual(await q('limit=3'), idsOf(FEB1.slice(0, 3)));
    assert.deepEqual(await q('limit=2&offset=3'), idsOf(FEB1.slice(3, 5)));
    assert.deepEqual(await q('reverse&limit=2&offset=1'), idsOf([FEB1[8]!, FEB1[7]!]));
  });
});

describe('a user month', () => {
  it('holds what the user sent in that channel and the timeouts and bans that target them', async () => {
    const junior = await get(`${api.url}/channel/pajlada/user/jun1orrrr/2024/2?json`);
    assert.deepEqual(ids(junior.text), idsOf([E.m2, E.timeout]));
    const byId = await get(`${api.url}/channelid/11148817/userid/29803735/2024/2?json`);
    assert.deepEqual(ids(byId.text), idsOf([E.m2, E.timeout]));
    const randers = await get(`${api.url}/channel/pajlada/user/randers/2024/2?json`);
    assert.deepEqual(ids(randers.text), idsOf([E.resub, E.clearmsg, E.action, E.m3]));
    const march = await get(`${api.url}/channel/pajlada/user/Randers/2024/3`);
    assert.equal(march.text, '[2024-03-5 10:00:00] #pajlada randers: march\n');
  });
});

describe('ranges', () => {
  it('take from/to as RFC 3339 or unix seconds, to exclusive, across days', async () => {
    const q = async (query: string) => ids((await get(`${api.url}/channel/pajlada?json&${query}`)).text);
    const expected = idsOf([E.m1, E.m2]);
    assert.deepEqual(await q('from=2024-01-31T23:00:00Z&to=2024-02-01T00:00:00.001Z'), expected);
    assert.deepEqual(await q(`from=${Math.floor(T.jan31Last / 1000)}&to=${(T.feb1First + 1000) / 1000}`), expected);
    assert.deepEqual(await q('from=2024-02-01T00:00:00%2B01:00&to=2024-02-01T01:00:00%2B01:00'), idsOf([E.m1]), 'an offset is honoured');
    assert.deepEqual(await q('from=2024-02-01T23:00:00Z'), idsOf([E.action, E.m3]), 'from alone: a month from it (not March 5)');
    assert.deepEqual(await q('to=2024-01-31T23:59:59.600Z'), idsOf([E.m1]), 'to alone: a month up to it');
    assert.deepEqual(await q('from=2024-02-01T23:59:59.999Z&to=2024-02-02T00:00:00Z'), idsOf([E.action]));
    assert.deepEqual(await q('from=0&to=4102444800'), idsOf(PAJLADA), 'all of it, every kind, in order');
    const range = await get(`${api.url}/channel/pajlada/range?from=2024-03-01T00:00:00Z&to=2024-04-01T00:00:00Z&json`);
    assert.deepEqual(ids(range.text), idsOf([E.m4]));
    const user = await get(`${api.url}/channel/pajlada/user/randers?from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z&json`);
    assert.deepEqual(ids(user.text), idsOf([E.m1, E.resub, E.clearmsg, E.action, E.m3, E.m4]));
  });

  it('no date and no range redirects (302) to the newest day or month with logs, keeping spelling and query', async () => {
    const cases = [
      ['/channel/pajlada', '/channel/pajlada/2024/3/5'],
      ['/channel/pajlada/?json&reverse', '/channel/pajlada/2024/3/5?json&reverse'],
      ['/channelid/11148817', '/channelid/11148817/2024/3/5'],
      ['/channel/pajlada/user/jun1orrrr?raw', '/channel/pajlada/user/jun1orrrr/2024/2?raw'],
      ['/channel/pajlada/userid/40286300', '/channel/pajlada/userid/40286300/2024/3'],
      ['/channel/forsen', '/channel/forsen/2024/2/1'],
    ];
    for (const [path, location] of cases) {
      const answer = await get(`${api.url}${path}`);
      assert.equal(answer.status, 302, path);
      assert.equal(answer.headers.location, location, path);
    }
  });
});

describe('random', () => {
  it('gives one line of the channel or the user, uncached', async () => {
    const channel = await get(`${api.url}/channel/pajlada/random?json`);
    assert.deepEqual(ids(channel.text), idsOf([E.m1]));
    assert.equal(channel.headers['cache-control'], 'no-cache');
    const user = await get(`${api.url}/channel/pajlada/user/jun1orrrr/random`);
    assert.equal(user.text, '[2024-02-1 00:00:00] #pajlada jun1orrrr: first of february\n');
  });
});

describe('refusals', () => {
  it('404 for an unknown channel or user, an empty day, an unknown route', async () => {
    for (const path of [
      '/channel/nobody/2024/2/1',
      '/channelid/999/2024/2/1',
      '/channel/pajlada/user/nobody/2024/2',
      '/channel/pajlada/userid/1/2024/2',
      '/channel/pajlada/2024/2/3',
      '/channel/nobody',
      '/channel/pajlada/user/tetyys/2024/3',
      '/nothing',
      '/channel/pajlada/2024/2',
    ]) {
      const answer = await get(`${api.url}${path}`);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8', path);
    }
  });

  it('400 with a message for a bad date, range, type, limit or offset', async () => {
    for (const path of [
      '/channel/pajlada/2024/2/30',
      '/channel/pajlada/2024/13/1',
      '/channel/pajlada/2024/x/1',
      '/channel/pajlada?from=yesterday',
      '/channel/pajlada?from=2024-02-02T00:00:00Z&to=2024-02-01T00:00:00Z',
      '/channel/pajlada/2024/2/1?type=xml',
      '/channel/pajlada/2024/2/1?limit=-1',
      '/channel/pajlada/2024/2/1?offset=a',
    ]) {
      const answer = await get(`${api.url}${path}`);
      assert.equal(answer.status, 400, path);
      assert.match(answer.text, /^Invalid (date|param)/, path);
    }
  });
});
