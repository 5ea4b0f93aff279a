import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { ChatEvent } from '../core/events/chatEvent.ts';
import { MAX_LINE_BYTES } from '../core/irc/constants.ts';
import { EventIdResolver } from '../core/irc/eventIdResolver.ts';
import { normalizeLine, normalizeLineBytes, type NormalizeResult } from '../core/irc/normalizeLine.ts';
import { parseVerbArgs, stringOption } from './parseVerbArgs.ts';

const USAGE = `usage: poglytics parse [FILE] [--received-at MS]

Turns raw Twitch IRC lines (FILE, or stdin when FILE is absent or "-") into ChatEvent NDJSON on
stdout, one event per input line that is an event, in input order. Rejected lines go to stderr
with their 1-based line numbers and reasons, then a one-line summary. Lines are split on LF; a
trailing CR is dropped; lines over ${MAX_LINE_BYTES} bytes are rejected.

  --received-at MS   use MS (ms since epoch) as every event's received_at
                     (default: the time the line was read)`;

/** Input is read in chunks of this size; memory stays bounded whatever the input size. */
const READ_CHUNK_BYTES = 256 * 1024;
/**
 * Most events kept back behind one that waits for its channel's next timestamped line; past it
 * the waiting one takes the fallback id, so output never stalls for long and memory stays bounded.
 */
export const MAX_EVENTS_BEHIND = 10_000;

interface ParseOptions {
  readonly file: string | null;
  readonly receivedAt: number | null;
}

export async function run(args: string[]): Promise<number> {
  const request = parseParseArgs(args);
  if (request.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.kind === 'error') {
    process.stderr.write(`poglytics parse: ${request.message}\n${USAGE}\n`);
    return 1;
  }
  const options = request.options;

  const started = performance.now();
  const stdout = new Output(process.stdout);
  const stderr = new Output(process.stderr);
  const lines = new LineNormalizer(options.receivedAt);
  const input = options.file === null ? process.stdin : createReadStream(options.file, { highWaterMark: READ_CHUNK_BYTES });
  const inputName = options.file ?? 'stdin';
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      lines.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      await stdout.write(lines.takeEvents());
      await stderr.write(lines.takeRejects());
      if (stdout.closed) break;
    }
    if (!stdout.closed) {
      lines.end();
      await stdout.write(lines.takeEvents());
      await stderr.write(lines.takeRejects());
    }
  } catch (error) {
    process.stderr.write(`poglytics parse: cannot read ${inputName}: ${(error as Error).message}\n`);
    return 1;
  }
  // `poglytics parse big.log | head`: the reader went away, which is not an error.
  if (stdout.closed) return stdout.failure === null ? 0 : reportWriteFailure(stdout.failure);

  const seconds = (performance.now() - started) / 1000;
  const { total, events, ignored, rejected } = lines.counts;
  await stderr.write(`parse: ${total} lines, ${events} events, ${ignored} ignored, ${rejected} rejected in ${seconds.toFixed(2)} s\n`);
  return 0;
}

function reportWriteFailure(error: Error): number {
  process.stderr.write(`poglytics parse: cannot write output: ${error.message}\n`);
  return 1;
}

function parseParseArgs(
  args: readonly string[],
): { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; options: ParseOptions } {
  const parsed = parseVerbArgs(args, { 'received-at': { type: 'string' } }, true);
  if (parsed.kind !== 'run') return parsed;
  const value = stringOption(parsed.values, 'received-at');
  if (value !== undefined && !/^\d{1,15}$/.test(value))
    return { kind: 'error', message: `--received-at needs milliseconds since the epoch, got ${JSON.stringify(value)}` };
  const [file, extra] = parsed.positionals;
  if (extra !== undefined)
    return { kind: 'error', message: `only one FILE can be given (got ${JSON.stringify(file)} and ${JSON.stringify(extra)})` };
  return {
    kind: 'run',
    options: { file: file === undefined || file === '-' ? null : file, receivedAt: value === undefined ? null : Number(value) },
  };
}

/**
 * Splits byte chunks into LF-terminated lines and normalizes them, collecting NDJSON for stdout
 * and reject reports for stderr. Whole runs of valid UTF-8 are decoded once and split as text
 * (the fast path); a run holding invalid UTF-8 is handled line by line as bytes. A line longer
 * than MAX_LINE_BYTES is never buffered: only its length is counted until its LF arrives.
 * One EventIdResolver per run: id-less lines get the ids an ingester reading the same lines
 * gives. Such a line waits for its channel's next timestamped line, and so does the output of
 * every later event (input order), up to MAX_EVENTS_BEHIND of them or the end of the input.
 */
class LineNormalizer {
  readonly counts = { total: 0, events: 0, ignored: 0, rejected: 0 };
  private events = '';
  private rejects = '';
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryLastByte = -1;
  private carryOverLimit = false;
  /** The output index of the next event to print; later ones wait in `behind`. */
  private nextOut = 0;
  private readonly behind = new Map<number, string>();
  private readonly ids = new EventIdResolver<number>({ emit: (event, index) => this.output(event, index) });

  constructor(private readonly fixedReceivedAt: number | null) {}

  push(chunk: Buffer): void {
    const receivedAt = this.fixedReceivedAt ?? Date.now();
    let start = 0;
    if (this.carryBytes > 0 || this.carryOverLimit) {
      const lf = chunk.indexOf(0x0a);
      if (lf === -1) {
        this.appendCarry(chunk);
        return;
      }
      this.appendCarry(chunk.subarray(0, lf));
      this.flushCarry(receivedAt);
      start = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(0x0a);
    if (lastLf >= start) {
      const run = chunk.subarray(start, lastLf);
      if (isUtf8(run)) {
        for (const line of run.toString('utf8').split('\n')) this.add(normalizeLine(line, receivedAt));
      } else {
        let lineStart = 0;
        while (lineStart <= run.length) {
          let lf = run.indexOf(0x0a, lineStart);
          if (lf === -1) lf = run.length;
          this.add(normalizeLineBytes(run.subarray(lineStart, lf), receivedAt));
          lineStart = lf + 1;
        }
      }
      start = lastLf + 1;
    }
    if (start < chunk.length) this.appendCarry(chunk.subarray(start));
  }

  /** The input ended: a last line without LF is still a line. */
  end(): void {
    if (this.carryBytes > 0 || this.carryOverLimit) this.flushCarry(this.fixedReceivedAt ?? Date.now());
    this.ids.releaseAll();
  }

  takeEvents(): string {
    const text = this.events;
    this.events = '';
    return text;
  }

  takeRejects(): string {
    const text = this.rejects;
    this.rejects = '';
    return text;
  }

  private appendCarry(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.carryBytes += bytes.length;
    this.carryLastByte = bytes[bytes.length - 1]!;
    if (this.carryOverLimit) return;
    // +1: a CR before the LF does not count towards the limit.
    if (this.carryBytes > MAX_LINE_BYTES + 1) {
      this.carryOverLimit = true;
      this.carry = [];
      return;
    }
    // Copy: a small tail must not keep its whole read chunk alive.
    this.carry.push(Buffer.from(bytes));
  }

  private flushCarry(receivedAt: number): void {
    if (this.carryOverLimit) {
      const bytes = this.carryBytes - (this.carryLastByte === 0x0d ? 1 : 0);
      this.add({ type: 'rejected', reason: `line too long: ${bytes} bytes (limit ${MAX_LINE_BYTES})` });
    } else {
      this.add(normalizeLineBytes(Buffer.concat(this.carry, this.carryBytes), receivedAt));
    }
    this.carry = [];
    this.carryBytes = 0;
    this.carryLastByte = -1;
    this.carryOverLimit = false;
  }

  private add(result: NormalizeResult): void {
    const lineNumber = ++this.counts.total;
    if (result.type === 'event') {
      this.ids.read(result.event, result.message, this.counts.events++);
      // Output stalls behind a waiting event: past the bound the oldest waiting one takes the fallback.
      while (this.behind.size > MAX_EVENTS_BEHIND && this.ids.releaseOldest()) continue;
    } else if (result.type === 'ignored') {
      this.counts.ignored++;
    } else {
      this.counts.rejected++;
      this.rejects += `line ${lineNumber}: ${result.reason}\n`;
    }
  }

  /** Prints event number `index` once every event before it is printed (they resolve out of order). */
  private output(event: ChatEvent, index: number): void {
    const text = `${JSON.stringify(event)}\n`;
    if (index !== this.nextOut) {
      this.behind.set(index, text);
      return;
    }
    this.events += text;
    this.nextOut++;
    for (let next = this.behind.get(this.nextOut); next !== undefined; next = this.behind.get(this.nextOut)) {
      this.behind.delete(this.nextOut);
      this.events += next;
      this.nextOut++;
    }
  }
}

/** A stdout/stderr writer that waits for drain (bounded memory) and turns EPIPE into `closed`. */
class Output {
  closed = false;
  failure: Error | null = null;

  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.closed = true;
      if (error.code !== 'EPIPE') this.failure = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }
}
