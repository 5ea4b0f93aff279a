import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredEvent } from '../../core/read/types.ts';
import { HttpError } from './errors.ts';
import { fullMessage } from './formats/jsonMessage.ts';
import { resolveScope } from './handleLogs.ts';
import type { ChannelRoute } from './parseChannelRoute.ts';
import type { ApiContext } from './types.ts';

/** Events sent again after a Last-Event-ID at most; an older gap is for the log routes. */
export const MAX_REPLAY = 10_000;
/** A client this far behind (bytes queued on its socket) is dropped instead of buffered without bound. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** The SSE id of an event: its sent_at and event_id, which is also where a resume starts. */
const sseId = (e: StoredEvent) => `${e.sent_at}/${e.event_id}`;

function parseLastEventId(value: string | string[] | undefined): { sentAt: number; eventId: string } | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d{1,15})\/(.+)$/.exec(String(value));
  if (match === null) throw new HttpError(400, `Invalid header: Last-Event-ID must be an id this stream sent, got "${String(value)}"`);
  return { sentAt: Number(match[1]), eventId: match[2]! };
}

/** Live tails open per client address, to refuse one more than the limit (429). */
export class LiveTailCounter {
  private readonly open = new Map<string, number>();
  constructor(readonly perClient: number) {}

  /** Takes a place for `client`, or returns false when it has `perClient` already; release once done. */
  take(client: string): boolean {
    const count = this.open.get(client) ?? 0;
    if (count >= this.perClient) return false;
    this.open.set(client, count + 1);
    return true;
  }

  release(client: string): void {
    const count = (this.open.get(client) ?? 1) - 1;
    if (count <= 0) this.open.delete(client);
    else this.open.set(client, count);
  }
}

/**
 * `/channel/{c}/live`: the channel's new events as Server-Sent Events, each `id: <sent_at>/<event_id>`
 * and `data:` one justlog JSON message, with a comment every `heartbeatMs` so proxies keep the
 * connection. With Last-Event-ID the events stored after that one come first (at most MAX_REPLAY),
 * then the live ones, none twice: the live subscription starts before the replay and is held back
 * until it ends. The status is sent once the subscription is ready: every event stored after the
 * client has the headers reaches it.
 */
export async function handleLive(
  ctx: ApiContext,
  route: ChannelRoute,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const resume = parseLastEventId(req.headers['last-event-id']);
  const { scope } = await resolveScope(ctx, route);
  const client = req.socket.remoteAddress ?? 'unknown';
  if (!ctx.liveTails.take(client)) {
    res.setHeader('Retry-After', '10');
    throw new HttpError(429, `Too many live tails from this client: at most ${ctx.liveTails.perClient} at once`);
  }
  // Ids replayed, while live events are held back: a held one may be among them. Dropped once live, so a long tail keeps no list.
  let replayed: Set<string> | undefined = new Set();
  let held: StoredEvent[] | undefined = [];
  const send = (event: StoredEvent) => {
    res.write(`id: ${sseId(event)}\ndata: ${JSON.stringify(fullMessage(event))}\n\n`);
    if (res.writableLength > MAX_QUEUED_BYTES) res.destroy();
  };
  let unsubscribe: () => void;
  try {
    unsubscribe = await ctx.live.subscribe(scope.channel, (event) => (held === undefined ? send(event) : held.push(event)));
  } catch (error) {
    ctx.liveTails.release(client);
    throw error;
  }
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), ctx.heartbeatMs);
  const end = () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.liveTails.release(client);
  };
  if (signal.aborted) return end();
  signal.addEventListener('abort', end, { once: true });

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: 3000\n: tailing #${scope.channel}\n\n`);
  if (resume !== undefined) {
    for await (const event of ctx.reader.events(scope, { fromMs: resume.sentAt, toMs: Number.MAX_SAFE_INTEGER, limit: MAX_REPLAY + 100 })) {
      if (signal.aborted) return;
      if (event.sent_at === resume.sentAt && event.event_id <= resume.eventId) continue;
      if (replayed.size >= MAX_REPLAY) break;
      replayed.add(event.event_id);
      send(event);
    }
  }
  const backlog = held;
  held = undefined;
  for (const event of backlog) if (!replayed.has(event.event_id)) send(event);
  replayed = undefined;
}
