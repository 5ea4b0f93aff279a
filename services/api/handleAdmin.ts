import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireAdmin } from './adminAuth.ts';
import { HttpError } from './errors.ts';
import { LOG_ENCODINGS } from './formats/logFormats.ts';
import { parseLogsOptions } from './parseLogsOptions.ts';
import { decodeSegment, type NameOrId } from './parseLogsPath.ts';
import { sendEventStream } from './sendEventStream.ts';
import type { ApiContext } from './types.ts';

const ROUTE = /^\/admin\/(user|userid)\/([^/]+)$/;

/** `/admin/user/{login}` or `/admin/userid/{id}`; null for any other path. */
export function parseAdminPath(pathname: string): NameOrId | null {
  const match = ROUTE.exec(pathname);
  if (match === null) return null;
  const value = decodeSegment(match[2]!);
  return match[1] === 'user' ? { by: 'login', value: value.toLowerCase() } : { by: 'id', value };
}

/**
 * One user's events in every channel (what they sent, bans and timeouts of them), for operators:
 * the public routes never search a user across channels (the stalking concern raised to justlog).
 * Without API_ADMIN_KEY the route does not exist (404); a wrong or missing key is 401. Any log
 * format, from/to (all stored time by default), reverse, limit, offset; never cached.
 */
export async function handleAdmin(
  ctx: ApiContext,
  user: NameOrId,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  requireAdmin(req, res, ctx.adminKey);
  const options = parseLogsOptions(url.searchParams, req.headers);
  if (ctx.reader.userEvents === undefined) throw new HttpError(501, 'The admin user route is not available on this sink');
  const range = options.range ?? { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };
  const events = ctx.reader
    .userEvents(user.by === 'login' ? { login: user.value } : { id: user.value }, {
      ...range,
      reverse: options.reverse,
      limit: options.limit,
      offset: options.offset,
    })
    [Symbol.asyncIterator]();
  const first = await events.next();
  if (first.done) {
    await events.return?.();
    throw new HttpError(404, `Not found: no logs of user ${user.by === 'id' ? 'id ' : ''}${user.value}`);
  }
  const all = (async function* () {
    yield first.value;
    for (let next = await events.next(); !next.done; next = await events.next()) yield next.value;
  })();
  try {
    await sendEventStream(req, res, all, LOG_ENCODINGS[options.format], 'private, no-store', signal);
  } finally {
    await events.return?.();
  }
}
