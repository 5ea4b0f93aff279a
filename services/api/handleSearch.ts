import type { IncomingMessage, ServerResponse } from 'node:http';
import { SearchQueryError } from '../../core/read/errors.ts';
import { parseSearchQuery, type SearchQuery } from '../../core/read/searchQuery.ts';
import { HttpError } from './errors.ts';
import { LOG_ENCODINGS } from './formats/logFormats.ts';
import { CLOSED_RANGE_CACHE, resolveScope } from './handleLogs.ts';
import type { ChannelRoute } from './parseChannelRoute.ts';
import { parseLogsOptions } from './parseLogsOptions.ts';
import { sendEventStream } from './sendEventStream.ts';
import type { ApiContext } from './types.ts';

/** `q` as a SearchQuery, or 400 with what is wrong with it. */
export function searchQueryOf(query: URLSearchParams): SearchQuery {
  const q = query.get('q');
  if (q === null) throw new HttpError(400, 'Invalid param: q is required');
  try {
    return parseSearchQuery(q);
  } catch (error) {
    if (error instanceof SearchQueryError) throw new HttpError(400, `Invalid param: ${error.message}`);
    throw error;
  }
}

/**
 * `/channel/{c}/search?q=` and `/channel/{c}/user/{u}/search?q=`: the matching events in any of
 * the log formats, oldest first, over all stored time unless `from`/`to` narrow it; no match is
 * an empty 200. Syntax: core/read/searchQuery.ts.
 */
export async function handleSearch(
  ctx: ApiContext,
  route: ChannelRoute,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const query = searchQueryOf(url.searchParams);
  const options = parseLogsOptions(url.searchParams, req.headers);
  if (ctx.reader.search === undefined) throw new HttpError(501, 'Search is not available on this sink');
  const { scope } = await resolveScope(ctx, route);
  if (scope.user !== undefined && (await ctx.reader.lastEventAt(scope)) === null)
    throw new HttpError(404, `Not found: no logs of user ${route.user!.value} in channel ${scope.channel}`);
  const range = options.range ?? { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };
  const events = ctx.reader.search(scope, query, { ...range, reverse: options.reverse, limit: options.limit, offset: options.offset });
  const cache = range.toMs <= ctx.now() ? CLOSED_RANGE_CACHE : 'no-cache';
  await sendEventStream(req, res, events, LOG_ENCODINGS[options.format], cache, signal);
}
