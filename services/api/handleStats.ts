import type { ServerResponse } from 'node:http';
import { moderation } from '../../core/reports/definitions/moderation.ts';
import { subscriptions } from '../../core/reports/definitions/subscriptions.ts';
import { topChannels } from '../../core/reports/definitions/topChannels.ts';
import { topChatters } from '../../core/reports/definitions/topChatters.ts';
import { totals } from '../../core/reports/definitions/totals.ts';
import { runReport } from '../../core/reports/runReport.ts';
import type { ReportDefinition, ReportRow } from '../../core/reports/types.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './handleIndex.ts';
import { CLOSED_RANGE_CACHE, resolveScope } from './handleLogs.ts';
import type { ChannelRoute } from './parseChannelRoute.ts';
import { parseLogsOptions } from './parseLogsOptions.ts';
import type { ApiContext } from './types.ts';

const DEFAULT_TOP = 10;
const MAX_TOP = 100;

const int = (row: ReportRow | undefined, column: string) => Number(row?.[column] ?? 0);

/**
 * `/channel/{c}/stats?from=&to=&limit=`: one channel's messages, chatters, top chatters, subs,
 * bits and moderation over a range (all stored time by default), as JSON. Every number comes
 * from a `poglytics query` report (core/reports/definitions) narrowed to the channel: the same
 * SQL, so the API and the CLI cannot disagree.
 */
export async function handleStats(ctx: ApiContext, route: ChannelRoute, url: URL, res: ServerResponse): Promise<void> {
  const { range } = parseLogsOptions(url.searchParams, {});
  const limitText = url.searchParams.get('limit');
  if (limitText !== null && !(/^\d{1,3}$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_TOP))
    throw new HttpError(400, `Invalid param: limit must be an integer from 1 to ${MAX_TOP}, got "${limitText}"`);
  const source = ctx.reader.reports;
  if (source === undefined) throw new HttpError(501, 'Stats are not available on this sink');
  const { scope } = await resolveScope(ctx, route);

  const options = {
    channel: scope.channel,
    since: range === undefined ? 'all' : String(range.fromMs),
    // Without a range: up to just after the newest stored event, as `poglytics query` does.
    until: range === undefined ? undefined : String(range.toMs),
    now: ctx.now(),
  };
  const run = async (report: ReportDefinition, limit = 1) => (await runReport(source, report, { ...options, limit })).rows;
  const [total] = await run(totals);
  const [channel] = await run(topChannels);
  const [subs] = await run(subscriptions);
  const [mod] = await run(moderation);
  const chatters = await run(topChatters, limitText === null ? DEFAULT_TOP : Number(limitText));

  const cache = range !== undefined && range.toMs <= ctx.now() ? CLOSED_RANGE_CACHE : 'no-cache';
  sendJson(
    res,
    {
      channel: scope.channel,
      from: range === undefined ? null : new Date(range.fromMs).toISOString(),
      to: range === undefined ? null : new Date(range.toMs).toISOString(),
      events: int(total, 'events'),
      messages: int(total, 'messages'),
      chatters: int(total, 'chatters'),
      firstEvent: typeof total?.first_event === 'number' ? new Date(total.first_event).toISOString() : null,
      lastEvent: typeof total?.last_event === 'number' ? new Date(total.last_event).toISOString() : null,
      bits: int(channel, 'bits'),
      topChatters: chatters.map((row) => ({ user: row.user_login, messages: int(row, 'messages') })),
      subscriptions: {
        subs: int(subs, 'subs'),
        resubs: int(subs, 'resubs'),
        gifted: int(subs, 'gifted'),
        giftBombs: int(subs, 'gift_bombs'),
        upgrades: int(subs, 'upgrades'),
      },
      moderation: {
        bans: int(mod, 'bans'),
        timeouts: int(mod, 'timeouts'),
        timeoutSeconds: int(mod, 'timeout_seconds'),
        deletions: int(mod, 'deletions'),
        clears: int(mod, 'clears'),
      },
    },
    cache,
  );
}
