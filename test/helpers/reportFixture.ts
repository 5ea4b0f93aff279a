import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import { findReport } from '../../core/reports/reports.ts';
import { runReport, type RunReportOptions } from '../../core/reports/runReport.ts';
import type { ReportRow } from '../../core/reports/types.ts';
import type { Sink } from '../../core/sinks/types.ts';
import { absentChatFields } from './absentChatFields.ts';

/**
 * A small chat history with known answers for every report. It lies in the past (2024), so the
 * reports' default ranges must anchor on the newest stored event, not on the clock.
 */
export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const at = (minute: number, second = 0, ms = 0) => T0 + minute * 60_000 + second * 1000 + ms;

let sequence = 0;
export function chatEvent(overrides: Partial<ChatEvent> & Pick<ChatEvent, 'kind' | 'channel' | 'sent_at'>): ChatEvent {
  sequence++;
  return {
    ...absentChatFields(),
    event_id: `fixture-${sequence}`,
    channel_id: `id-${overrides.channel}`,
    received_at: overrides.sent_at + 40,
    tags: {},
    raw: `@fixture ${sequence}`,
    ...overrides,
  };
}

const message = (channel: string, user: string, sent_at: number, bits = 0) =>
  chatEvent({
    kind: 'message',
    channel,
    user_login: user,
    user_id: `uid-${user}`,
    display_name: user.toUpperCase(),
    text: `hi from ${user}`,
    bits,
    sent_at,
  });
const usernotice = (channel: string, subtype: string, user: string, sent_at: number, params: Record<string, string> = {}) =>
  chatEvent({ kind: 'usernotice', channel, subtype, user_login: user, sent_at, params });

export function reportFixtureEvents(): ChatEvent[] {
  sequence = 0;
  return [
    // Messages: 11 in all, 10 within the hour before the newest event.
    message('bravo', 'u1', at(-120)),
    message('alpha', 'u1', at(0)),
    message('alpha', 'u1', at(0, 30)),
    message('alpha', 'u2', at(1)),
    message('bravo', 'u1', at(2, 0, 500)),
    message('bravo', 'u4', at(59, 10), 100),
    message('alpha', 'u1', at(59, 10, 400)),
    message('alpha', 'u2', at(59, 11)),
    message('bravo', 'u4', at(59, 50)),
    message('charlie', 'u5', at(59, 59)),
    message('alpha', 'u3', at(59, 59, 250)),
    // Subscriptions: alpha 1 sub, 1 resub, a bomb of 2 gifts; bravo 1 gift, 1 upgrade.
    usernotice('alpha', 'sub', 'u6', at(10), { 'sub-plan': '1000' }),
    usernotice('alpha', 'resub', 'u7', at(11), { 'cumulative-months': '5' }),
    usernotice('alpha', 'submysterygift', 'u8', at(12), { 'mass-gift-count': '2' }),
    usernotice('alpha', 'subgift', 'u8', at(12, 1), { 'recipient-user-name': 'r1' }),
    usernotice('alpha', 'subgift', 'u8', at(12, 2), { 'recipient-user-name': 'r2' }),
    usernotice('bravo', 'subgift', 'u9', at(13), { 'recipient-user-name': 'r3' }),
    usernotice('bravo', 'giftpaidupgrade', 'r3', at(14)),
    // Raids.
    usernotice('charlie', 'raid', 'raiderx', at(30), { login: 'raiderx', viewerCount: '42' }),
    usernotice('bravo', 'raid', 'raidery', at(40), { login: 'raidery', viewerCount: '7' }),
    // Moderation.
    chatEvent({ kind: 'ban', channel: 'alpha', target_user_login: 'u9', sent_at: at(20) }),
    chatEvent({ kind: 'timeout', channel: 'alpha', target_user_login: 'u10', ban_duration_s: 600, sent_at: at(21) }),
    chatEvent({ kind: 'timeout', channel: 'alpha', target_user_login: 'u11', ban_duration_s: 60, sent_at: at(22) }),
    chatEvent({ kind: 'delete', channel: 'alpha', user_login: 'u2', target_message_id: 'm', text: 'oops', sent_at: at(23) }),
    chatEvent({ kind: 'clearchat', channel: 'bravo', sent_at: at(24) }),
    chatEvent({ kind: 'ban', channel: 'charlie', target_user_login: 'u12', sent_at: at(25) }),
    // State and notices; the ROOMSTATE is the newest event of all.
    chatEvent({ kind: 'notice', channel: '*', subtype: null, text: 'global notice', sent_at: at(26) }),
    chatEvent({ kind: 'roomstate', channel: 'alpha', sent_at: at(59, 59, 500) }),
  ];
}

/** Newest event of the fixture: the default ranges end just after it. */
export const NEWEST = at(59, 59, 500);

async function report(sink: Sink, name: string, options: RunReportOptions = {}): Promise<ReportRow[]> {
  return (await runReport(sink, findReport(name), options)).rows;
}

const pick = (rows: ReportRow[], ...columns: string[]) => rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));

/**
 * The same known-data assertions for every sink: `open` returns an empty, migrated sink. The
 * fixture is written twice (the second time with one event repeated) to prove reports count
 * each event once.
 */
export function describeReportsOn(title: string, open: () => Promise<Sink>, options: { skip?: string | false } = {}): void {
  describe(title, { skip: options.skip ?? false }, () => {
    let sink: Sink;
    before(async () => {
      sink = await open();
      const events = reportFixtureEvents();
      await sink.write(events);
      await sink.write([events[1]!, events[5]!]);
    });
    after(async () => {
      await sink?.close();
    });

    it('totals count every event once and span the stored time range', async () => {
      assert.deepEqual(await report(sink, 'totals'), [
        { events: 28, messages: 11, channels: 3, chatters: 5, first_event: at(-120), last_event: NEWEST, hours: 3 },
      ]);
    });

    it('messages-per-minute covers the hour before the newest event, empty minutes as 0', async () => {
      const rows = await report(sink, 'messages-per-minute');
      assert.equal(rows.length, 60);
      assert.equal(rows[0]!.minute, T0);
      assert.equal(rows[59]!.minute, at(59));
      const nonZero = rows.filter((r) => r.messages !== 0).map((r) => [(Number(r.minute) - T0) / 60_000, r.messages]);
      assert.deepEqual(nonZero, [
        [0, 2],
        [1, 1],
        [2, 1],
        [59, 6],
      ]);
    });

    it('messages-per-second covers the minute before the newest event', async () => {
      const rows = await report(sink, 'messages-per-second');
      assert.equal(rows.length, 60);
      assert.equal(rows[0]!.second, at(59));
      const nonZero = rows.filter((r) => r.messages !== 0).map((r) => [(Number(r.second) - at(59)) / 1000, r.messages]);
      assert.deepEqual(nonZero, [
        [10, 2],
        [11, 1],
        [50, 1],
        [59, 2],
      ]);
    });

    it('top-channels ranks by messages with unique chatters and bits', async () => {
      assert.deepEqual(await report(sink, 'top-channels'), [
        { channel: 'alpha', messages: 6, chatters: 3, bits: 0 },
        { channel: 'bravo', messages: 4, chatters: 2, bits: 100 },
        { channel: 'charlie', messages: 1, chatters: 1, bits: 0 },
      ]);
    });

    it('top-channels --since 30m counts only the last half hour before the newest event', async () => {
      assert.deepEqual(await report(sink, 'top-channels', { since: '30m' }), [
        { channel: 'alpha', messages: 3, chatters: 3, bits: 0 },
        { channel: 'bravo', messages: 2, chatters: 1, bits: 100 },
        { channel: 'charlie', messages: 1, chatters: 1, bits: 0 },
      ]);
    });

    it('top-chatters ranks users by messages, honours --limit', async () => {
      assert.deepEqual(await report(sink, 'top-chatters'), [
        { user_login: 'u1', messages: 5, channels: 2 },
        { user_login: 'u2', messages: 2, channels: 1 },
        { user_login: 'u4', messages: 2, channels: 1 },
        { user_login: 'u3', messages: 1, channels: 1 },
        { user_login: 'u5', messages: 1, channels: 1 },
      ]);
      assert.deepEqual(pick(await report(sink, 'top-chatters', { limit: 2 }), 'user_login'), [{ user_login: 'u1' }, { user_login: 'u2' }]);
    });

    it('subscriptions splits subs, resubs, gifts, gift bombs and upgrades per channel', async () => {
      assert.deepEqual(await report(sink, 'subscriptions'), [
        { channel: 'alpha', subs: 1, resubs: 1, gifted: 2, gift_bombs: 1, upgrades: 0 },
        { channel: 'bravo', subs: 0, resubs: 0, gifted: 1, gift_bombs: 0, upgrades: 1 },
      ]);
    });

    it('moderation counts bans and timeouts (with their length), deletions and clears', async () => {
      assert.deepEqual(await report(sink, 'moderation'), [
        { channel: 'alpha', bans: 1, timeouts: 2, timeout_seconds: 660, deletions: 1, clears: 0 },
        { channel: 'charlie', bans: 1, timeouts: 0, timeout_seconds: 0, deletions: 0, clears: 0 },
        { channel: 'bravo', bans: 0, timeouts: 0, timeout_seconds: 0, deletions: 0, clears: 1 },
      ]);
    });

    it('raids lists raider, channel and viewers, newest first', async () => {
      assert.deepEqual(await report(sink, 'raids'), [
        { raided_at: at(40), raider: 'raidery', channel: 'bravo', viewers: 7 },
        { raided_at: at(30), raider: 'raiderx', channel: 'charlie', viewers: 42 },
      ]);
    });

    it('event-mix gives every kind with its share', async () => {
      assert.deepEqual(await report(sink, 'event-mix'), [
        { kind: 'message', events: 11, percent: 39.29 },
        { kind: 'usernotice', events: 9, percent: 32.14 },
        { kind: 'ban', events: 2, percent: 7.14 },
        { kind: 'timeout', events: 2, percent: 7.14 },
        { kind: 'clearchat', events: 1, percent: 3.57 },
        { kind: 'delete', events: 1, percent: 3.57 },
        { kind: 'notice', events: 1, percent: 3.57 },
        { kind: 'roomstate', events: 1, percent: 3.57 },
      ]);
    });

    it('an absolute --since/--until range selects exactly that window', async () => {
      const rows = await report(sink, 'event-mix', { since: new Date(at(10)).toISOString(), until: new Date(at(14, 30)).toISOString() });
      assert.deepEqual(pick(rows, 'kind', 'events'), [{ kind: 'usernotice', events: 7 }]);
    });
  });
}
