import { createReadStream } from 'node:fs';
import { importRawLog, MAX_LOG_LINE_BYTES, type ImportTotals } from '../core/consumer/importRawLog.ts';
import { createSinkFromEnv } from '../core/sinks/createSink.ts';
import type { Sink } from '../core/sinks/types.ts';
import { ConfigError } from '../core/errors.ts';
import { parseVerbArgs, stringOption } from './parseVerbArgs.ts';

const USAGE = `usage: poglytics import FILE... [--batch-size N] [--received-at MS]

Backfills raw Twitch IRC log lines (one line per message; a leading logger timestamp such as
"[2024-01-01 12:00:00] " or "2024-01-01T12:00:00.000Z " is accepted) into the sink chosen by the
environment (SINK, SQLITE_PATH, DATABASE_URL, CLICKHOUSE_URL). "-" reads stdin; gzip input is
recognised by its first bytes and read as is. Event ids come from the lines alone, so importing
a file twice (even after touching it) adds nothing. Progress goes to stderr, rejected lines too,
as FILE:LINE: reason (a line over ${MAX_LOG_LINE_BYTES} bytes is rejected without being read whole).
Exits 1 when a FILE cannot be read or gives no event at all.

  --batch-size N     events per database write (default 5000)
  --received-at MS   received_at for lines without any time (default: when the import started);
                     it never changes an event's id`;

const MAX_REJECTS_SHOWN = 1000;

interface ImportArgs {
  readonly files: string[];
  readonly batchSize: number;
  readonly receivedAt: number | null;
}

function parseImportArgs(
  args: readonly string[],
): { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; options: ImportArgs } {
  const parsed = parseVerbArgs(args, { 'batch-size': { type: 'string' }, 'received-at': { type: 'string' } }, true);
  if (parsed.kind !== 'run') return parsed;
  const batchSize = stringOption(parsed.values, 'batch-size');
  const receivedAt = stringOption(parsed.values, 'received-at');
  for (const [flag, value] of [
    ['--batch-size', batchSize],
    ['--received-at', receivedAt],
  ] as const) {
    if (value !== undefined && !/^\d+$/.test(value)) return { kind: 'error', message: `${flag} needs a non-negative integer` };
  }
  if (parsed.positionals.length === 0) return { kind: 'error', message: 'give at least one FILE (or - for stdin)' };
  return {
    kind: 'run',
    options: {
      files: parsed.positionals,
      batchSize: batchSize === undefined ? 5000 : Math.max(1, Number(batchSize)),
      receivedAt: receivedAt === undefined ? null : Number(receivedAt),
    },
  };
}

function progressLine(totals: ImportTotals, startedMs: number): string {
  const seconds = Math.max((performance.now() - startedMs) / 1000, 0.001);
  return `${totals.lines} lines (${Math.round(totals.lines / seconds)} lines/s), ${totals.inserted} inserted, ${totals.duplicates} duplicates, ${totals.ignored} ignored, ${totals.rejected} rejected`;
}

export async function run(args: string[]): Promise<number> {
  const request = parseImportArgs(args);
  if (request.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.kind === 'error') {
    process.stderr.write(`poglytics import: ${request.message}\n${USAGE}\n`);
    return 1;
  }
  const parsed = request.options;
  let sink: Sink;
  try {
    sink = await createSinkFromEnv(process.env);
    await sink.migrate();
  } catch (error) {
    if (error instanceof ConfigError) throw error; // main prints a bad setting as `SETTING: …` with exit 2, as every verb does
    process.stderr.write(`poglytics import: ${(error as Error).message}\n`);
    return 1;
  }
  const started = performance.now();
  const fallbackReceivedAt = parsed.receivedAt ?? Date.now();
  const totals: ImportTotals = { lines: 0, events: 0, ignored: 0, rejected: 0, inserted: 0, duplicates: 0 };
  const tty = process.stderr.isTTY === true;
  let lastProgress = started;
  let rejectsShown = 0;
  let exitCode = 0;
  try {
    for (const file of parsed.files) {
      const name = file === '-' ? 'stdin' : file;
      const before = { ...totals };
      try {
        const input: AsyncIterable<Buffer | string> = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
        await importRawLog(input, {
          sink,
          totals,
          batchSize: parsed.batchSize,
          fallbackReceivedAt,
          onReject: (lineNumber, reason) => {
            if (rejectsShown++ < MAX_REJECTS_SHOWN) process.stderr.write(`${tty ? '\r\x1b[K' : ''}${name}:${lineNumber}: ${reason}\n`);
          },
          onBatch: (t) => {
            const now = performance.now();
            if (now - lastProgress < 1000) return;
            lastProgress = now;
            process.stderr.write(tty ? `\r\x1b[K${progressLine(t, started)}` : `${progressLine(t, started)}\n`);
          },
        });
        if (totals.events === before.events) {
          const lines = totals.lines - before.lines;
          const why = `${lines} lines: ${totals.ignored - before.ignored} ignored, ${totals.rejected - before.rejected} rejected`;
          process.stderr.write(`${tty ? '\r\x1b[K' : ''}poglytics import: ${name}: no events (${why})\n`);
          exitCode = 1;
        }
      } catch (error) {
        const err = error as NodeJS.ErrnoException;
        // A damaged gzip file (zlib's Z_* codes) is one bad input, not a reason to stop the others.
        if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || err.code?.startsWith('Z_') === true) {
          const what = err.code?.startsWith('Z_') === true ? `gzip: ${err.message}` : err.message;
          process.stderr.write(`${tty ? '\r\x1b[K' : ''}poglytics import: cannot read ${name}: ${what}\n`);
          exitCode = 1;
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}poglytics import: ${(error as Error).message}\n`);
    exitCode = 1;
  } finally {
    await sink.close();
  }
  if (rejectsShown > MAX_REJECTS_SHOWN) process.stderr.write(`… and ${rejectsShown - MAX_REJECTS_SHOWN} more rejected lines\n`);
  process.stderr.write(`${tty ? '\r\x1b[K' : ''}${sink.name}: ${progressLine(totals, started)}\n`);
  return exitCode;
}
