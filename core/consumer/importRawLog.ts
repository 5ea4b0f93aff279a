import { normalizeLineBytes } from '../irc/normalizeLine.ts';
import type { ChatEvent } from '../events/chatEvent.ts';
import type { Sink } from '../sinks/types.ts';
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
   * earlier line with one). It must be the same on every run, or ROOMSTATE/NOTICE lines (whose
   * `h:` id hashes received_at) would not dedupe on re-import: the CLI passes the file's mtime.
   */
  readonly fallbackReceivedAt: number;
  readonly onReject?: (lineNumber: number, reason: string) => void;
  readonly onBatch?: (totals: Readonly<ImportTotals>) => void;
  /** Totals carried over from earlier files (the CLI sums them). */
  readonly totals?: ImportTotals;
}

const NEWLINE = 0x0a;
const SENT_TS = /[@;]tmi-sent-ts=(\d{10,16})[; ]/;

/**
 * Backfills a raw IRC log (one line per message, as Twitch loggers keep them) into a sink:
 * normalize each line, write events in batches, count what was inserted, skipped as already
 * stored, ignored (protocol lines) and rejected. Importing the same log twice adds nothing:
 * event ids come from the `id` tag or a hash of the line, and received_at is deterministic.
 */
export async function importRawLog(input: AsyncIterable<Buffer | string>, options: ImportRawLogOptions): Promise<ImportTotals> {
  const totals: ImportTotals = options.totals ?? { lines: 0, events: 0, ignored: 0, rejected: 0, inserted: 0, duplicates: 0 };
  const batchSize = options.batchSize ?? 5000;
  let batch: ChatEvent[] = [];
  let lastTime: number | null = null;
  let lineNumber = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await options.sink.write(batch);
    totals.inserted += result.inserted;
    totals.duplicates += result.duplicates;
    batch = [];
    options.onBatch?.(totals);
  };

  const handleLine = async (line: Uint8Array) => {
    lineNumber++;
    totals.lines++;
    let body = line;
    if (body.length > 0 && body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    if (body.length === 0) {
      totals.lines--; // blank lines are not log entries
      return;
    }
    const prefix = stripLogPrefix(body);
    if (prefix) body = body.subarray(prefix.offset);
    let receivedAt = prefix?.time ?? null;
    if (receivedAt === null) {
      const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 2048)).toString('latin1');
      const sent = SENT_TS.exec(head);
      receivedAt = sent ? Number(sent[1]) : (lastTime ?? options.fallbackReceivedAt);
    }
    lastTime = receivedAt;
    const result = normalizeLineBytes(body, receivedAt);
    if (result.type === 'event') {
      totals.events++;
      batch.push(result.event);
      if (batch.length >= batchSize) await flush();
    } else if (result.type === 'ignored') totals.ignored++;
    else {
      totals.rejected++;
      options.onReject?.(lineNumber, result.reason);
    }
  };

  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    const data: Buffer = rest.length > 0 ? Buffer.concat([rest, Buffer.from(chunk)]) : Buffer.from(chunk);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      await handleLine(data.subarray(start, nl));
      start = nl + 1;
    }
    rest = data.subarray(start);
  }
  if (rest.length > 0) await handleLine(rest);
  await flush();
  return totals;
}
