import { eventMix } from './definitions/eventMix.ts';
import { messagesPerMinute } from './definitions/messagesPerMinute.ts';
import { messagesPerSecond } from './definitions/messagesPerSecond.ts';
import { moderation } from './definitions/moderation.ts';
import { raids } from './definitions/raids.ts';
import { subscriptions } from './definitions/subscriptions.ts';
import { topChannels } from './definitions/topChannels.ts';
import { topChatters } from './definitions/topChatters.ts';
import { totals } from './definitions/totals.ts';
import { ReportOptionError } from './errors.ts';
import type { ReportDefinition } from './types.ts';

/** Every report `poglytics query` answers, in the order `--help` lists them. */
export const REPORTS: readonly ReportDefinition[] = [
  totals,
  messagesPerSecond,
  messagesPerMinute,
  topChannels,
  topChatters,
  subscriptions,
  moderation,
  raids,
  eventMix,
];

/** Short names the original Go Poglytics's users may type. */
const ALIASES: Record<string, string> = {
  mps: 'messages-per-second',
  mpm: 'messages-per-minute',
  channels: 'top-channels',
  chatters: 'top-chatters',
  subs: 'subscriptions',
  bans: 'moderation',
  timeouts: 'moderation',
  mix: 'event-mix',
};

export function findReport(name: string): ReportDefinition {
  const wanted = ALIASES[name] ?? name;
  const report = REPORTS.find((r) => r.name === wanted);
  if (!report) throw new ReportOptionError(`unknown report "${name}"; reports: ${REPORTS.map((r) => r.name).join(', ')}`);
  return report;
}
