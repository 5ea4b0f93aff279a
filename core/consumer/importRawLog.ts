import { EventIdResolver } from '../irc/eventIdResolver.ts';
import { MAX_LINE_BYTES } from '../irc/constants.ts';
import { normalizeLineBytes } from '../irc/normalizeLine.ts';
import type { ChatEvent } from '../events/chatEvent.ts';
import type { Sink } from '../sinks/types.ts';
import { gunzipIfCompressed } from './gunzipIfCompressed.ts';
import { LineSplitter } from './lineSplitter.ts';
import { stripLogPrefix } from './stripLogPrefix.ts';

export interface ImportTotals {
  lines: number;
  events: number;
  ignored: number;
  rejected: number;
  inserted: number;
  duplicates: number;
}

export interface ImportRawLogOptions {
  readonly sink: Sink;
  /** Events per sink write. */
  readonly batchSize?: number;
  /**
   * received_at for lines that carry no time at all (no logger prefix, no tmi-sent-ts, no
   * earlier line with one). It only fills that field: event ids never depend on it.
   */
  readonly fallbackReceivedAt: number;
  /** Longest log line kept, prefix included; a longer one is rejected unread (default: the IRC limit plus room for a prefix). */
  readonly maxLineBytes?: number;
  readonly onReject?: (lineNumber: number, reason: string) => void;
  readonly onBatch?: (totals: Readonly<ImportTotals>) => void;
  /** Totals carried over from earlier files (the CLI sums them). */
  readonly totals?: ImportTotals;
}

/** The longest IRC line plus room for a logger's timestamp prefix: nothing longer can give an event. */
export const MAX_LOG_LINE_BYTES = MAX_LINE_BYTES + 256;
const SENT_TS = /[@;]tmi-sent-ts=(\d{10,16})[; ]/;

/**
 * Backfills a raw IRC log (one line per message, as Twitch loggers keep them; plain or gzip,
 * told apart by the magic bytes) into a sink: normalize each line, write events in batches,
 * count what was inserted, skipped as already stored, ignored (protocol lines) and rejected.
 * Memory stays bounded whatever the input: lines are streamed, and a line over maxLineBytes is
 * rejected without being held. Importing the same log twice adds nothing: event ids come from
 * the `id` tag or the line's content, with one EventIdResolver per call (per file) as an
 * ingester has one per process, so they never depend on when or from where the file was read.
 * An id-less line without tmi-sent-ts waits for its channel's next timestamped line (what it is
 * anchored on); whatever still waits at the end of the file takes the fallback then.
 */
export async function importRawLog(input: AsyncIterable<Buffer | string>, options: ImportRawLogOptions): Promise<ImportTotals> {
  const totals: ImportTotals = options.totals ?? { lines: 0, events: 0, ignored: 0, rejected: 0, inserted: 0, duplicates: 0 };
  const batchSize = options.batchSize ?? 5000;
  const maxLineBytes = options.maxLineBytes ?? MAX_LOG_LINE_BYTES;
  let batch: ChatEvent[] = [];
  const ids = new EventIdResolver<undefined>({ emit: (event) => batch.push(event) });
  let lastTime: number | null = null;
  let lineNumber = 0;

  // One read chunk can hold more than a batch of lines: write them batchSize at a time.
  const flush = async () => {
    for (let start = 0; start < batch.length; start += batchSize) {
      const result = await options.sink.write(batch.length <= batchSize ? batch : batch.slice(start, start + batchSize));
      totals.inserted += result.inserted;
      totals.duplicates += result.duplicates;
      options.onBatch?.(totals);
    }
    batch = [];
  };

  const reject = (reason: string) => {
    totals.rejected++;
    options.onReject?.(lineNumber, reason);
  };

  const handleLine = (line: Buffer) => {
    lineNumber++;
    totals.lines++;
    let body: Buffer = line;
    if (body.length > 0 && body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    if (body.length === 0) {
      totals.lines--; // blank lines are not log entries
      return;
    }
    const prefix = stripLogPrefix(body);
    if (prefix) body = body.subarray(prefix.offset);
    let receivedAt = prefix?.time ?? null;
    if (receivedAt === null) {
      const head = body.subarray(0, 2048).toString('latin1');
      const sent = SENT_TS.exec(head);
      receivedAt = sent ? Number(sent[1]) : (lastTime ?? options.fallbackReceivedAt);
    }
    lastTime = receivedAt;
    const result = normalizeLineBytes(body, receivedAt);
    if (result.type === 'event') {
      totals.events++;
      ids.read(result.event, result.message, undefined);
    } else if (result.type === 'ignored') totals.ignored++;
    else reject(result.reason);
  };

  const splitter = new LineSplitter(maxLineBytes, handleLine, (bytes) => {
    lineNumber++;
    totals.lines++;
    reject(`line too long: ${bytes} bytes (limit ${maxLineBytes})`);
  });
  for await (const chunk of gunzipIfCompressed(input)) {
    splitter.push(chunk);
    if (batch.length >= batchSize) await flush();
  }
  splitter.end();
  ids.releaseAll();
  await flush();
  return totals;
}
