import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ChatEvent } from '../../core/events/chatEvent.ts';
import type { HoldJournal } from '../../core/irc/eventIdResolver.ts';
import type { Logger } from '../../core/log.ts';

/** The lease slot an event was read under: whether a sibling replica also read it is decided by it. */
export interface HeldSlot {
  readonly shardId: number;
  readonly replica: number;
}

/** A held event as the journal keeps it: enough to rebuild the event and decide its id. */
export interface HeldRecord {
  readonly raw: string;
  readonly receivedAt: number;
  /** When this reader read it (the clock of the dead process: compared with a sibling's joinedAt). */
  readonly readAt: number;
  /** Its channel's last tmi-sent-ts before it, or null (the `prev` anchor; a replay hashes the window of receivedAt instead). */
  readonly prevTs: number | null;
  /** True when its id waits for an anchor (no `id` tag, no tmi-sent-ts); false when it only waited for order. */
  readonly anchored: boolean;
  /** The slot served when it was read; null for a reader with none (standby, tests). */
  readonly slot: HeldSlot | null;
  /** Set when it was released (with this id) so shortly before the process died that it may not have reached the stream. */
  readonly finalId?: string;
}

export interface HeldJournalOptions {
  readonly dir: string;
  /** The slot being served now (recorded with each hold). */
  readonly slot: () => HeldSlot | null;
  /**
   * How long a released event may still be only in the producer's memory (KINESIS_SPILL_AFTER_MS
   * + KINESIS_FLUSH_MS + a margin): what was released that shortly before the last write is sent
   * again by the next process, under the id it was released with (the sinks dedupe it).
   */
  readonly keepReleasedMs: number;
  readonly logger?: Logger;
  /** Called on every failed write (the ingester counts poglytics_held_journal_errors_total). */
  readonly onError?: () => void;
}

/** A release kept for keepReleasedMs: its hold line and its release line, for compaction. */
interface RecentRelease {
  readonly at: number;
  readonly lines: string;
}

interface HoldLine extends HeldRecord {
  readonly k: number;
}

/** File name of the hold journal inside JOURNAL_DIR. */
export const HELD_JOURNAL_FILE = 'held.ndjson';
/** Appended bytes past which the file is rewritten with only the live entries. */
const COMPACT_AFTER_BYTES = 1 << 20;

/**
 * Keeps the events an ingester holds in memory (id-less lines waiting for their channel's next
 * timestamped line: up to 120 s with replicas) in a small append-only file in JOURNAL_DIR, so that
 * a kill -9 does not take them along: the next process on this disk (the same slot locally, the
 * restarted container of the same task on ECS) reads back what was held and not released and
 * decides what to send (replayHeldEvents). A released event is handed to the producer, where it
 * waits up to KINESIS_SPILL_AFTER_MS before it is in the stream or the record journal: what was
 * released within keepReleasedMs of the file's last write is sent again too, under the id it was
 * released with. One line per hold, `{"d":key,"at":ms,"id":event_id}` per release, written with a
 * plain write(2): a killed process loses nothing that reached the page cache. Held events are rare
 * (ROOMSTATE changes and NOTICEs), so this costs nothing on the chat path.
 */
export class HeldJournal implements HoldJournal {
  /** What an earlier process held and never released (or released just before it died), in reading order. */
  readonly leftOver: readonly HeldRecord[];
  private readonly path: string;
  private fd: number;
  private readonly live = new Map<number, string>();
  private readonly recent: RecentRelease[] = [];
  private readonly keepReleasedMs: number;
  private readonly slot: () => HeldSlot | null;
  private readonly logger: Logger | undefined;
  private readonly onError: (() => void) | undefined;
  private nextKey = 0;
  private appended = 0;
  private closed = false;
  private errors = 0;
  private lastErrorLog = 0;

  constructor(options: HeldJournalOptions) {
    this.slot = options.slot;
    this.keepReleasedMs = options.keepReleasedMs;
    this.logger = options.logger;
    this.onError = options.onError;
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, HELD_JOURNAL_FILE);
    this.leftOver = existsSync(this.path) ? this.read() : [];
    // The left-over entries stay in the file until acknowledged (forgetLeftOver): a crash while
    // they are being sent sends them again, under the same ids.
    for (const record of this.leftOver) this.live.set(this.nextKey, JSON.stringify({ k: this.nextKey++, ...record }) + '\n');
    this.fd = this.openAtStart();
  }

  hold(event: ChatEvent, prevTs: number | null, anchored: boolean): number {
    const key = this.nextKey++;
    // Closed at shutdown, after the last drain: whatever is read later is released at once.
    if (this.closed) return key;
    const record: HoldLine = {
      k: key,
      raw: event.raw,
      receivedAt: event.received_at,
      readAt: Date.now(),
      prevTs,
      anchored,
      slot: this.slot(),
    };
    const line = JSON.stringify(record) + '\n';
    this.live.set(key, line);
    this.append(line);
    return key;
  }

  released(key: number, eventId: string): void {
    const hold = this.live.get(key);
    if (hold === undefined) return;
    this.live.delete(key);
    const at = Date.now();
    const release = `{"d":${key},"at":${at},"id":${JSON.stringify(eventId)}}\n`;
    this.recent.push({ at, lines: hold + release });
    this.append(release);
  }

  /** The left-over entries are safely elsewhere now (in the stream or the record journal). */
  forgetLeftOver(): void {
    for (let key = 0; key < this.leftOver.length; key++) if (this.live.delete(key)) this.append(`{"d":${key}}\n`);
  }

  /**
   * Opt-out deletion: leaves out of the file (and of the left-over entries still to be sent) every
   * hold, and every recent release, whose line `drops` says is an opted-out user's or channel's,
   * by rewriting it atomically (temporary file, fsync, rename: a crash leaves the old file or the
   * new one). The event itself may still be held in memory: released, the ingester's own opt-out
   * filter drops it. Returns the holds left out; throws when the disk refuses (the file unchanged).
   */
  purge(drops: (held: { readonly raw: string; readonly receivedAt: number }) => boolean): number {
    let removed = 0;
    for (const [key, line] of this.live) {
      const record = JSON.parse(line) as HoldLine;
      if (!drops(record)) continue;
      this.live.delete(key);
      removed++;
    }
    const recent = this.recent.filter((r) => !drops(JSON.parse(r.lines.slice(0, r.lines.indexOf('\n'))) as HoldLine));
    removed += this.recent.length - recent.length;
    if (removed === 0 || this.closed) return removed;
    this.recent.splice(0, this.recent.length, ...recent);
    const old = this.fd;
    this.fd = this.rewrite();
    if (old >= 0) closeSync(old);
    return removed;
  }

  /** Entries held now (left-over ones included until forgotten). */
  get size(): number {
    return this.live.size;
  }

  /**
   * `delivered`: everything released has left the producer (in the stream or the record journal,
   * an orderly shutdown), so recent releases need no second sending: the file is emptied of them.
   */
  close(options: { delivered: boolean }): void {
    if (this.closed) return;
    if (options.delivered) {
      this.recent.length = 0;
      if (this.live.size === 0) this.append('');
    }
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
  }

  private append(line: string): void {
    if (this.closed) return;
    try {
      writeSync(this.fd, line);
      this.appended += line.length;
      const now = Date.now();
      while (this.recent.length > 0 && this.recent[0]!.at <= now - this.keepReleasedMs) this.recent.shift();
      if (this.live.size === 0 && this.recent.length === 0) {
        // Nothing held, nothing released lately: the file starts again empty (appends go to the new end).
        ftruncateSync(this.fd, 0);
        this.appended = 0;
      } else if (this.appended > COMPACT_AFTER_BYTES) {
        const old = this.fd;
        this.fd = this.rewrite();
        closeSync(old);
      }
    } catch (error) {
      // A full or failing disk must not stop the capture: the line stays held in memory (as it
      // was before this journal existed), only a kill -9 would now lose it. Said and counted.
      this.errors++;
      this.onError?.();
      const now = Date.now();
      if (now - this.lastErrorLog > 10_000) {
        this.lastErrorLog = now;
        this.logger?.error('hold journal write failed; held lines are in memory only', { error: error as Error, failures: this.errors });
      }
    }
  }

  /** The compacted journal open for appending; on a full disk the file as it is; -1 (writes fail, counted) when not even that. */
  private openAtStart(): number {
    try {
      return this.rewrite();
    } catch (error) {
      this.logger?.error('hold journal could not be compacted at start; appending to it as it is', { error: error as Error });
      this.onError?.();
      try {
        return openSync(this.path, 'a');
      } catch {
        return -1;
      }
    }
  }

  /** Writes the live entries to a new file and renames it over the journal; returns the new file open for appending. */
  private rewrite(): number {
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w');
    writeSync(fd, [...this.live.values(), ...this.recent.map((r) => r.lines)].join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.path);
    this.appended = 0;
    return openSync(this.path, 'a');
  }

  private read(): HeldRecord[] {
    const holds = new Map<number, HeldRecord>();
    // The process died after its last write: what it released within keepReleasedMs of that may still have been in memory.
    const recentFrom = statSync(this.path).mtimeMs - this.keepReleasedMs;
    const lines = readFileSync(this.path, 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text === '') return;
      try {
        const entry = JSON.parse(text) as Partial<HoldLine> & { d?: number; at?: number; id?: string };
        if (typeof entry.d === 'number') {
          const hold = holds.get(entry.d);
          // (The file's mtime comes from the kernel's coarse clock, a few ms behind: a little more is sent again, never less.)
          const recent = this.keepReleasedMs > 0 && typeof entry.at === 'number' && entry.at >= recentFrom;
          if (hold !== undefined && recent && typeof entry.id === 'string') {
            holds.set(entry.d, { ...hold, finalId: entry.id });
          } else holds.delete(entry.d);
        } else if (typeof entry.k === 'number' && typeof entry.raw === 'string' && typeof entry.receivedAt === 'number') {
          const { k, ...record } = entry as HoldLine;
          holds.set(k, record);
        } else throw new Error('neither a hold nor a release');
      } catch (error) {
        // Only a line cut by a crash in the middle of write(2) can be here: say so, it is an event.
        this.logger?.error('hold journal line unreadable; skipped', { line: index + 1, reason: (error as Error).message });
      }
    });
    return [...holds].sort((a, b) => a[0] - b[0]).map(([, record]) => record);
  }
}
