import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { SUB_GROUPS } from '../../core/reports/definitions/subscriptions.ts';
import { ALL_EVENTS, FEB1 } from '../helpers/readApiDataset.ts';
import { get, startReadApi, type ReadApiRun } from '../helpers/readApiFixture.ts';
import { makeChatEvents } from '../helpers/chatEvents.ts';

/** `/channel/{c}/stats` (docs/read-api.md, "Stats"): the poglytics query reports narrowed to one channel. */
const START = Date.UTC(2024, 0, 22);
const DAY = 86_400_000;

/** What the stats of `channel` over [from, to) must be, counted from the events themselves. */
function expectedStats(events: readonly ChatEvent[], channel: string, from: number, to: number, top: number) {
  const inRange = events.filter((e) => e.channel === channel && e.sent_at >= from && e.sent_at < to);
  const messages = inRange.filter((e) => e.kind === 'message');
  const perUser = new Map<string, number>();
  for (const m of messages) if (m.user_login !== null) perUser.set(m.user_login, (perUser.get(m.user_login) ?? 0) + 1);
  const subs = (group: readonly string[]) => inRange.filter((e) => e.kind === 'usernotice' && group.includes(e.subtype ?? '')).length;
  const kind = (k: string) => inRange.filter((e) => e.kind === k);
  return {
    channel,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    events: inRange.length,
    messages: messages.length,
    chatters: perUser.size,
    firstEvent: new Date(Math.min(...inRange.map((e) => e.sent_at))).toISOString(),
    lastEvent: new Date(Math.max(...inRange.map((e) => e.sent_at))).toISOString(),
    bits: messages.reduce((sum, m) => sum + m.bits, 0),
    topChatters: [...perUser]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, top)
      .map(([user, count]) => ({ user, messages: count })),
    subscriptions: {
      subs: subs(SUB_GROUPS.subs),
      resubs: subs(SUB_GROUPS.resubs),
      gifted: subs(SUB_GROUPS.gifted),
      giftBombs: subs(SUB_GROUPS.gift_bombs),
      upgrades: subs(SUB_GROUPS.upgrades),
    },
    moderation: {
      bans: kind('ban').length,
      timeouts: kind('timeout').length,
      timeoutSeconds: kind('timeout').reduce((sum, e) => sum + (e.ban_duration_s ?? 0), 0),
      deletions: kind('delete').length,
      clears: kind('clearchat').length,
    },
  };
}

describe('stats over 6,000 seeded events of every kind in three channels', () => {
  const events = makeChatEvents(6000, { seed: 11, channels: 3, users: 40, startMs: START, spanMs: 20 * DAY, hostileShare: 0 });
  const channel = events[0]!.channel;
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(events, { now: () => START + 30 * DAY })));
  after(() => api.close());

  it('counts exactly what the channel stored in the range, and caches a closed range', async () => {
    // Act
    const from = START + 5 * DAY;
    const to = START + 12 * DAY;
    const answer = await get(`${api.url}/channel/${channel}/stats?from=${from / 1000}&to=${new Date(to).toISOString()}&limit=5`);
    // Assess
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(answer.headers['cache-control'], 'public, max-age=36000');
    const expected = expectedStats(events, channel, from, to, 5);
    assert.deepEqual(JSON.parse(answer.text), expected);
    // The dataset is not trivial: every figure has something to count.
    assert.ok(expected.bits > 0 && expected.subscriptions.gifted > 0 && expected.moderation.timeoutSeconds > 0 && expected.chatters > 5);
  });

  it('covers all stored time without a range (not cacheable), ten top chatters by default', async () => {
    const answer = await get(`${api.url}/channel/${channel}/stats`);
    assert.equal(answer.headers['cache-control'], 'no-cache');
    const expected = expectedStats(events, channel, 0, 8.64e15, 10);
    assert.deepEqual(JSON.parse(answer.text), { ...expected, from: null, to: null });
  });
});

describe('stats on the named dataset', () => {
  let api: ReadApiRun;
  before(async () => (api = await startReadApi(ALL_EVENTS, { now: () => Date.parse('2024-03-05T12:00:00Z') })));
  after(() => api.close());

  it("are one channel's by login or room id, not the others'", async () => {
    for (const path of ['/channel/forsen/stats', '/channelid/22484632/stats']) {
      const stats = JSON.parse((await get(`${api.url}${path}`)).text) as Record<string, unknown>;
      assert.deepEqual([stats.channel, stats.events, stats.messages, stats.chatters], ['forsen', 2, 2, 2], path);
      assert.deepEqual(stats.topChatters, [
        { user: 'jun1orrrr', messages: 1 },
        { user: 'randers', messages: 1 },
      ]);
    }
  });

  it('cover the range [from, to): the first ms of the next day is out, the first of this day in', async () => {
    const answer = await get(`${api.url}/channel/pajlada/stats?from=2024-02-01T00:00:00Z&to=2024-02-02T00:00:00Z`);
    const stats = JSON.parse(answer.text) as Record<string, unknown>;
    assert.deepEqual(
      [stats.events, stats.messages, stats.firstEvent, stats.lastEvent],
      [FEB1.length, 2, '2024-02-01T00:00:00.000Z', '2024-02-01T23:59:59.999Z'],
    );
    assert.deepEqual(stats.subscriptions, { subs: 0, resubs: 2, gifted: 0, giftBombs: 0, upgrades: 0 });
    assert.deepEqual(stats.moderation, { bans: 1, timeouts: 1, timeoutSeconds: 600, deletions: 1, clears: 1 });
  });

  it('refuses bad parameters with 400 and unknown channels with 404', async () => {
    for (const query of ['from=tomorrow', 'from=1706832000&to=1706745600', 'limit=0', 'limit=101', 'limit=x']) {
      const answer = await get(`${api.url}/channel/pajlada/stats?${query}`);
      assert.equal(answer.status, 400, query);
      assert.match(answer.text, /^Invalid param: /, query);
    }
    assert.equal((await get(`${api.url}/channel/nobody/stats`)).status, 404);
    assert.equal((await get(`${api.url}/channelid/1/stats`)).status, 404);
  });
});
