import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredEvent } from '../../core/read/types.ts';
import type { LogEncoding } from './formats/logFormats.ts';
import { openBody } from './openBody.ts';
import { streamEvents } from './streamEvents.ts';

/**
 * A 200 with `events` in `encoding`, streamed from the cursor, for routes where no match is an
 * answer, not a 404 (search, the admin user route): an empty text body, or `{"messages":[]}`.
 * The first event is awaited before the status is sent, so a failing query still gets its error status.
 */
export async function sendEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  events: AsyncIterable<StoredEvent>,
  encoding: LogEncoding,
  cache: string,
  signal: AbortSignal,
): Promise<void> {
  const iterator = events[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const body = openBody(req, res, 200, {
      'Content-Type': encoding.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': cache,
    });
    if (first.done) body.end(encoding.head + encoding.tail);
    else await streamEvents(first.value, iterator, encoding, body, signal);
  } finally {
    await iterator.return?.();
  }
}
