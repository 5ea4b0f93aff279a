import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { StoredEvent } from '../../core/read/types.ts';
import type { LogEncoding } from './formats/logFormats.ts';

/** Bytes gathered before a write: a few syscalls per megabyte instead of one per line. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes `first` and the rest of `events` through `encoding`, waiting for `drain` whenever the
 * body is full, so a slow client slows the database cursor instead of filling memory. Stops (and
 * so releases the cursor) when `signal` aborts: the client went away.
 */
export async function streamEvents(
  first: StoredEvent,
  events: AsyncIterator<StoredEvent>,
  encoding: LogEncoding,
  body: Writable,
  signal: AbortSignal,
): Promise<void> {
  let chunk = encoding.head + encoding.item(first, true);
  const flush = async () => {
    const full = !body.write(chunk);
    chunk = '';
    if (full) await once(body, 'drain', { signal });
  };
  for (;;) {
    if (signal.aborted) return;
    const next = await events.next();
    if (next.done) break;
    chunk += encoding.item(next.value, false);
    if (chunk.length >= CHUNK_CHARS) await flush();
  }
  chunk += encoding.tail;
  body.end(chunk);
}
