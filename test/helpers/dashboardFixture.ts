import type { ChatEvent } from '../../core/events/chatEvent.ts';
import type { StreamSnapshot } from '../../core/events/streamSnapshot.ts';
import { absentChatFields } from './absentChatFields.ts';
import { makeChatEvents, makeSnapshots } from './chatEvents.ts';
import type { TimeRange } from './grafanaQuery.ts';

/**
 * Chat for the dashboard panel test: six hours of busy channels (every kind, from the seeded
 * factory), plus one quiet channel that has a few events of every kind a panel shows (messages,
 * a cheer, subs and gifts, a raid, a ban, a timeout, a deletion) and is far outside any "top N"
 * of the busy ones, so a panel whose top-N subquery ignores the channel selection shows nothing for it.
 */
export const DASHBOARD_T0 = Date.UTC(2024, 0, 22, 6, 0, 0);
const SPAN_MS = 6 * 3_600_000;
export const DASHBOARD_RANGE: TimeRange = { fromMs: DASHBOARD_T0 - 60_000, toMs: DASHBOARD_T0 + SPAN_MS + 60_000 };
export const QUIET_CHANNEL = 'quiet_corner';
/** A channel with no data at all: every per-channel panel must come back empty for it. */
export const ABSENT_CHANNEL = 'nobody_here';

let sequence = 0;
function event(overrides: Partial<ChatEvent> & Pick<ChatEvent, 'kind' | 'sent_at'>): ChatEvent {
  sequence++;
  return {
    ...absentChatFields(),
    event_id: `dash-${QUIET_CHANNEL}-${sequence}`,
    channel: QUIET_CHANNEL,
    channel_id: '999999',
    received_at: overrides.sent_at + 50,
    tags: {},
    raw: `@dashboard-fixture ${sequence}`,
    ...overrides,
  };
}

function quietChannelEvents(): ChatEvent[] {
  sequence = 0;
  const at = (minute: number) => DASHBOARD_T0 + minute * 60_000;
  const user = (login: string) => ({ user_login: login, user_id: `uid-${login}`, display_name: login });
  const notice = (subtype: string, login: string, minute: number, params: Record<string, string> = {}) =>
    event({ kind: 'usernotice', subtype, ...user(login), sent_at: at(minute), params, system_text: `${login} ${subtype}` });
  return [
    event({ kind: 'message', ...user('regular_a'), text: 'hello', sent_at: at(10) }),
    event({ kind: 'message', ...user('regular_a'), text: 'again', sent_at: at(11) }),
    event({ kind: 'message', ...user('regular_b'), text: 'hi', sent_at: at(95) }),
    event({ kind: 'message', ...user('cheerer_c'), text: 'cheer1 nice', bits: 1, sent_at: at(120) }),
    notice('sub', 'subber_d', 130, { 'sub-plan': '1000' }),
    notice('resub', 'subber_e', 131, { 'cumulative-months': '3' }),
    notice('subgift', 'gifter_f', 132, { 'recipient-user-name': 'lucky_g' }),
    notice('anonsubgift', 'ananonymousgifter', 133, { 'recipient-user-name': 'lucky_h' }),
    notice('raid', 'raider_i', 200, { login: 'raider_i', displayName: 'raider_i', viewerCount: '7' }),
    event({ kind: 'ban', target_user_login: 'troll_j', target_user_id: 'uid-troll_j', sent_at: at(210) }),
    event({ kind: 'timeout', target_user_login: 'troll_k', target_user_id: 'uid-troll_k', ban_duration_s: 600, sent_at: at(211) }),
    event({ kind: 'delete', user_login: 'troll_k', text: 'deleted words', target_message_id: 'msg-1', sent_at: at(212) }),
  ];
}

export interface DashboardFixture {
  readonly events: ChatEvent[];
  readonly snapshots: StreamSnapshot[];
}

export function dashboardFixture(): DashboardFixture {
  const busy = makeChatEvents(4_000, { seed: 14, channels: 40, startMs: DASHBOARD_T0, spanMs: SPAN_MS });
  const snapshots = makeSnapshots(30).map((s) => ({
    ...s,
    captured_at: s.captured_at - Date.UTC(2024, 0, 30) + DASHBOARD_T0,
    started_at: DASHBOARD_T0 - 600_000,
  }));
  return { events: [...busy, ...quietChannelEvents()], snapshots };
}

/** One message in each of `count` further channels: many channels, little chat. */
export function manyChannelEvents(count: number): ChatEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const channel = `wide_${String(i).padStart(6, '0')}`;
    const sent_at = DASHBOARD_T0 + Math.floor((i / count) * SPAN_MS);
    return {
      ...absentChatFields(),
      event_id: `dash-wide-${i}`,
      kind: 'message',
      channel,
      channel_id: String(2_000_000 + i),
      user_login: `viewer_${i % 997}`,
      user_id: String(3_000_000 + (i % 997)),
      text: 'o/',
      sent_at,
      received_at: sent_at + 30,
      tags: {},
      raw: `@dashboard-fixture wide ${i}`,
    } satisfies ChatEvent;
  });
}

/** Channels ranked by messages and by bits, as the "top N" subqueries rank them. */
export function channelRanks(events: readonly ChatEvent[]): { byMessages: string[]; byBits: string[] } {
  const messages = new Map<string, number>();
  const bits = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'message') continue;
    messages.set(e.channel, (messages.get(e.channel) ?? 0) + 1);
    if (e.bits > 0) bits.set(e.channel, (bits.get(e.channel) ?? 0) + e.bits);
  }
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  return { byMessages: rank(messages), byBits: rank(bits) };
}
