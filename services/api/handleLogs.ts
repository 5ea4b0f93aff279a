import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomEvent } from '../../core/read/randomEvent.ts';
import type { ReadScope, StoredEvent } from '../../core/read/types.ts';
import { addMonths, utcParts } from '../../core/read/utcCalendar.ts';
import { HttpError } from './errors.ts';
import { LOG_ENCODINGS } from './formats/logFormats.ts';
import { openBody } from './openBody.ts';
import { parseLogsOptions } from './parseLogsOptions.ts';
import type { LogsPath } from './parseLogsPath.ts';
import { streamEvents } from './streamEvents.ts';
import type { ApiContext } from './types.ts';

/** rustlog's: a range that has ended does not change, one still open does. */
export const CLOSED_RANGE_CACHE = 'public, max-age=36000';

/** The channel (404 when nothing of it is stored) and user a path names, after the opt-out check (403). */
export async function resolveScope(
  ctx: ApiContext,
  path: Pick<LogsPath, 'channel' | 'user'>,
): Promise<{ scope: ReadScope; channelId: string | null }> {
  const channel =
    path.channel.by === 'login' ? await ctx.channels.byLogin(path.channel.value) : await ctx.channels.byId(path.channel.value);
  if (channel === null)
    throw new HttpError(404, `Not found: no logs of channel ${path.channel.by === 'id' ? 'id ' : ''}${path.channel.value}`);
  const user =
    path.user === undefined ? undefined : path.user.by === 'login' ? { login: path.user.value.toLowerCase() } : { id: path.user.value };
  const opted = await ctx.optedOut({ channel: channel.name, channelId: channel.id, user });
  if (opted === 'channel') throw new HttpError(403, 'The requested channel has opted out of being logged');
  if (opted === 'user') throw new HttpError(403, 'The requested user has opted out of being logged');
  return { scope: { channel: channel.name, user }, channelId: channel.id };
}

/** The channel and user log routes: a day, a month, a range, a random line, or a redirect to the newest logs. */
export async function handleLogs(
  ctx: ApiContext,
  path: LogsPath,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const options = parseLogsOptions(url.searchParams, req.headers);
  const { scope } = await resolveScope(ctx, path);
  const encoding = LOG_ENCODINGS[options.format];
  const baseHeaders = { 'Content-Type': encoding.contentType, 'X-Content-Type-Options': 'nosniff' };

  const last = await ctx.reader.lastEventAt(scope);
  if (last === null) throw new HttpError(404, `Not found: no logs of user ${path.user?.value ?? ''} in channel ${scope.channel}`);

  if (path.target.kind === 'random') {
    const event = await randomEvent(ctx.reader, scope, ctx.random);
    if (event === null) throw new HttpError(404, 'Not found: no logs');
    const body = openBody(req, res, 200, { ...baseHeaders, 'Cache-Control': 'no-cache' });
    await streamEvents(event, (async function* (): AsyncGenerator<StoredEvent> {})(), encoding, body, signal);
    return;
  }

  let range: { fromMs: number; toMs: number };
  if (path.target.kind === 'day' || path.target.kind === 'month') range = path.target;
  else if (options.range !== undefined) range = options.range;
  else if (path.target.kind === 'range') range = { fromMs: addMonths(ctx.now(), -1), toMs: ctx.now() };
  else {
    const { year, month, day } = utcParts(last);
    const date = path.user === undefined ? `${year}/${month}/${day}` : `${year}/${month}`;
    res.writeHead(302, { Location: `${path.base}/${date}${url.search}`, 'Cache-Control': 'no-cache' }).end();
    return;
  }

  const events = ctx.reader
    .events(scope, { ...range, reverse: options.reverse, limit: options.limit, offset: options.offset })
    [Symbol.asyncIterator]();
  try {
    const first = await events.next();
    if (first.done) throw new HttpError(404, 'Not found: no logs in this range');
    const cache = range.toMs <= ctx.now() ? CLOSED_RANGE_CACHE : 'no-cache';
    const body = openBody(req, res, 200, { ...baseHeaders, 'Cache-Control': cache });
    await streamEvents(first.value, events, encoding, body, signal);
  } finally {
    await events.return?.();
  }
}
