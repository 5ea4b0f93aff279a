import type { ServerResponse } from 'node:http';
import { availableLogs } from '../../core/read/availableLogs.ts';
import { HttpError } from './errors.ts';
import type { ApiContext } from './types.ts';

/** What the service supports, in /capabilities and the x-rustlog-capabilities header of every response. */
export const CAPABILITIES = ['arbitrary-range-query'] as const;

export function sendJson(res: ServerResponse, value: unknown, cache = 'no-cache'): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': cache,
  });
  res.end(body);
}

/**
 * `/channels`: `{"channels":[{"name","userID"}]}` (justlog and rustlog): the channels with logs,
 * as justlog lists the channels it logs, so with the run-time changes applied: an added channel
 * shows before its first event (userID '' until one carries its room id), an excluded one does
 * not (its logs stay readable by their URLs; opting out is what removes them).
 */
export async function handleChannels(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const stored = await ctx.channels.list();
  const overrides = ctx.channelOverrides ? await ctx.channelOverrides.load() : undefined;
  const excluded = new Set(Object.keys(overrides?.excluded ?? {}));
  const names = new Set(stored.map((c) => c.name));
  const added = Object.keys(overrides?.added ?? {})
    .filter((name) => !names.has(name))
    .map((name) => ({ name, id: null }));
  const channels = [...stored, ...added].filter((c) => !excluded.has(c.name));
  sendJson(res, { channels: channels.map((c) => ({ name: c.name, userID: c.id ?? '' })) });
}

/** `/list?channel=|channelid=[&user=|userid=]`: the days (channel) or months (user) with logs, newest first. */
export async function handleList(ctx: ApiContext, query: URLSearchParams, res: ServerResponse): Promise<void> {
  const login = query.get('channel');
  const id = query.get('channelid');
  if (!login && !id) throw new HttpError(400, 'Invalid param: channel or channelid is required');
  const channel = login ? await ctx.channels.byLogin(login) : await ctx.channels.byId(id!);
  if (channel === null) throw new HttpError(404, `Not found: no logs of channel ${login ?? `id ${id}`}`);
  const userLogin = query.get('user');
  const userId = query.get('userid');
  const user = userLogin ? { login: userLogin.toLowerCase() } : userId ? { id: userId } : undefined;
  const opted = await ctx.optedOut({ channel: channel.name, channelId: channel.id, user });
  if (opted !== null) throw new HttpError(403, `The requested ${opted} has opted out of being logged`);
  const dates = await availableLogs(ctx.reader, { channel: channel.name, user }, user === undefined ? 'day' : 'month');
  if (dates.length === 0) throw new HttpError(404, 'Not found: no logs');
  sendJson(res, {
    availableLogs: dates.map((d) =>
      user === undefined
        ? { year: String(d.year), month: String(d.month), day: String(d.day) }
        : { year: String(d.year), month: String(d.month) },
    ),
  });
}
