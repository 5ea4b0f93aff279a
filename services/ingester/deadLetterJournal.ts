import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/log.ts';

export interface DeadLetter {
  readonly receivedAt: number;
  readonly reason: string;
  /** The line as text (undecodable bytes shown as U+FFFD)… */
  readonly raw: string;
  /** …and, for a line that is not UTF-8, its exact bytes. */
  readonly rawBase64?: string;
  readonly connection: number;
}

/** Rejected lines held in memory while the disk refuses them (ENOSPC, EACCES), at most this many bytes. */
const MAX_PENDING_BYTES = 1024 * 1024;
const RETRY_MS = 5000;

/**
 * Rejected IRC lines, kept with their reason as NDJSON in `<dir>/irc-rejects.ndjson` (rare, so
 * written synchronously). Bounded by `maxBytes`: past it, lines are only counted (the caller's
 * parse-reject metric still sees every one). When the disk refuses a write (full, read-only), the
 * line is kept in a bounded memory queue and appended again on the next write or after 5 s; the
 * refusal is logged once per outage, never thrown: capture goes on.
 */
export class DeadLetterJournal {
  readonly path: string;
  private bytes: number;
  private refused = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly logger?: Logger,
  ) {
    this.path = join(dir, 'irc-rejects.ndjson');
    try {
      this.bytes = statSync(this.path).size;
    } catch {
      this.bytes = 0;
    }
  }

  /** Rejected lines of opted-out users and channels are not kept (set by the ingester's opt-out watch). */
  leaveOut: ((raw: string) => boolean) | undefined;

  /** Why the last append was refused by the disk (ENOSPC, EACCES, …), for the caller's log. */
  lastError: string | undefined;

  /** Lines refused for good: past maxBytes, or past the memory queue while the disk refuses. */
  get refusedCount(): number {
    return this.refused;
  }

  /** Lines waiting in memory for the disk. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Appends one rejected line; false when it could not be written now (held in memory, or refused for good). */
  write(letter: DeadLetter): boolean {
    if (this.leaveOut?.(letter.raw)) return true;
    const exact = letter.rawBase64 === undefined ? {} : { raw_base64: letter.rawBase64 };
    const line =
      JSON.stringify({ received_at: letter.receivedAt, reason: letter.reason, connection: letter.connection, raw: letter.raw, ...exact }) +
      '\n';
    const size = Buffer.byteLength(line);
    if (this.bytes + this.pendingBytes + size > this.maxBytes) {
      this.refused++;
      return false;
    }
    this.pending.push(line);
    this.pendingBytes += size;
    this.flush();
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      const dropped = this.pending.shift()!;
      this.pendingBytes -= Buffer.byteLength(dropped);
      this.refused++;
    }
    return this.pending.length === 0;
  }

  /**
   * Opt-out deletion: rewrites the file, and the lines waiting in memory, without the rejected
   * lines `drops` says name an opted-out user or channel: a temporary file, fsync, rename, so a
   * crash leaves the old file or the new one, whole. Returns the lines left out; throws when the
   * disk refuses (the file unchanged).
   */
  purge(drops: (raw: string) => boolean): number {
    const rawOf = (line: string) => {
      try {
        const raw = (JSON.parse(line) as { raw?: unknown }).raw;
        return typeof raw === 'string' ? raw : line;
      } catch {
        return line;
      }
    };
    const pending = this.pending.filter((line) => !drops(rawOf(line)));
    let removed = this.pending.length - pending.length;
    this.pending = pending;
    this.pendingBytes = pending.reduce((n, line) => n + Buffer.byteLength(line), 0);
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return removed;
      throw error;
    }
    const lines = text.split('\n').filter((line) => line !== '');
    const kept = lines.filter((line) => !drops(rawOf(line)));
    if (kept.length === lines.length) return removed;
    removed += lines.length - kept.length;
    const body = kept.map((line) => `${line}\n`).join('');
    const temp = `${this.path}.rewrite.tmp`;
    try {
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.bytes = Buffer.byteLength(body);
    return removed;
  }

  /** Appends what waits in memory; keeps it (and retries later) when the disk still refuses. */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    try {
      mkdirSync(this.dir, { recursive: true });
      appendFileSync(this.path, text);
    } catch (error) {
      const message = (error as Error).message;
      if (this.lastError === undefined)
        this.logger?.warn('cannot write the IRC dead letter; holding rejected lines in memory and retrying', {
          path: this.path,
          pending: this.pending.length,
          error: message,
        });
      this.lastError = message;
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.flush();
      }, RETRY_MS).unref();
      return;
    }
    if (this.lastError !== undefined)
      this.logger?.info('IRC dead letter writable again', { path: this.path, written: this.pending.length });
    this.lastError = undefined;
    this.bytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
