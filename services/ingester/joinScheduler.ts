import { backoffDelay } from '../../core/retry.ts';
import type { TokenBucket } from './tokenBucket.ts';

/** NOTICE msg-ids that mean a channel cannot be joined: mark it failed, do not retry. */
export const JOIN_FAILURE_NOTICES: ReadonlySet<string> = new Set([
  'msg_channel_suspended',
  'msg_banned',
  'tos_ban',
  'msg_room_not_found',
  'invalid_user',
  'msg_suspended',
  'msg_channel_blocked',
]);

export type ChannelJoinState = 'queued' | 'pending' | 'joined' | 'failed' | 'retrying';

export interface JoinSchedulerOptions {
  readonly bucket: TokenBucket;
  /** Sends one raw IRC line; false when the socket is not open. */
  readonly send: (line: string) => boolean;
  /** A JOIN without ROOMSTATE after this long counts as failed and is retried. */
  readonly timeoutMs: number;
  /** Timeouts before the channel is marked failed ('join_timeout'). */
  readonly maxAttempts: number;
  readonly retryBaseMs?: number;
  readonly onJoined?: (login: string, latencyMs: number) => void;
  readonly onFailed?: (login: string, reason: string) => void;
  readonly onAttempt?: (count: number) => void;
  readonly onTimeout?: (login: string) => void;
}

interface Entry {
  state: ChannelJoinState;
  attempts: number;
  sentAt: number;
  timer: NodeJS.Timeout | undefined;
  reason: string | undefined;
}

/** Longest JOIN line we send; Twitch and RFC 1459 allow 512 bytes including CR LF. */
const MAX_JOIN_LINE = 500;

/**
 * Joins the channels of one IRC socket within its token bucket: as many channels per
 * comma-separated JOIN as there are tokens, each a pending join until ROOMSTATE confirms it or
 * it times out (then retried with backoff, up to maxAttempts). A failure NOTICE marks the channel
 * failed with its reason. While paused (socket down) nothing is sent.
 */
export class JoinScheduler {
  private readonly entries = new Map<string, Entry>();
  private queue: string[] = [];
  private paused = true;
  private pumpTimer: NodeJS.Timeout | undefined;
  private joinedCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: JoinSchedulerOptions) {}

  get joined(): number {
    return this.joinedCount;
  }

  /** Channels not yet settled (queued, pending or waiting to retry). */
  get outstanding(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state !== 'joined' && e.state !== 'failed') n++;
    return n;
  }

  state(login: string): ChannelJoinState | undefined {
    return this.entries.get(login)?.state;
  }

  failures(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [login, e] of this.entries) if (e.state === 'failed') out.set(login, e.reason ?? 'unknown');
    return out;
  }

  add(login: string): void {
    if (this.entries.has(login)) return;
    this.entries.set(login, { state: 'queued', attempts: 0, sentAt: 0, timer: undefined, reason: undefined });
    this.queue.push(login);
    this.pump();
  }

  /** Forgets a channel; sends PART when it was joined or pending. */
  remove(login: string): void {
    const e = this.entries.get(login);
    if (!e) return;
    if (e.timer) clearTimeout(e.timer);
    if (e.state === 'joined') this.joinedCount--;
    if ((e.state === 'joined' || e.state === 'pending') && !this.paused) this.options.send(`PART #${login}`);
    this.entries.delete(login);
    this.settle();
  }

  /** ROOMSTATE seen for `login`. */
  confirm(login: string, now = Date.now()): void {
    const e = this.entries.get(login);
    if (!e || e.state !== 'pending') return;
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.state = 'joined';
    this.joinedCount++;
    this.options.onJoined?.(login, now - e.sentAt);
    this.settle();
  }

  /** A failure NOTICE for `login`: failed for good, unless it is already joined. */
  fail(login: string, reason: string): void {
    const e = this.entries.get(login);
    if (!e || e.state === 'joined' || e.state === 'failed') return;
    this.markFailed(login, e, reason);
  }

  pause(): void {
    this.paused = true;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Resolves when no channel is queued, pending or waiting to retry. */
  whenSettled(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.pause();
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    if (this.paused || this.pumpTimer) return;
    const batch: string[] = [];
    const available = this.options.bucket.available();
    while (batch.length < available && this.queue.length > 0) {
      const login = this.queue.shift()!;
      if (this.entries.get(login)?.state === 'queued') batch.push(login);
    }
    if (batch.length > 0) this.sendJoins(batch);
    if (this.queue.length > 0) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, this.options.bucket.msUntilAvailable());
    }
  }

  private sendJoins(batch: string[]): void {
    const taken = this.options.bucket.take(batch.length);
    const now = Date.now();
    let line = '';
    const flush = () => {
      if (line && !this.options.send(`JOIN ${line}`)) return false;
      line = '';
      return true;
    };
    const sent = batch.slice(0, taken);
    this.queue.unshift(...batch.slice(taken));
    for (const login of sent) {
      const part = `#${login}`;
      if (line.length + part.length + 6 > MAX_JOIN_LINE) flush();
      line = line ? `${line},${part}` : part;
      const e = this.entries.get(login)!;
      e.state = 'pending';
      e.sentAt = now;
      e.attempts++;
      e.timer = setTimeout(() => this.timeout(login), this.options.timeoutMs);
    }
    flush();
    this.options.onAttempt?.(sent.length);
  }

  private timeout(login: string): void {
    const e = this.entries.get(login);
    if (!e || e.state !== 'pending') return;
    e.timer = undefined;
    this.options.onTimeout?.(login);
    if (e.attempts >= this.options.maxAttempts) {
      this.markFailed(login, e, 'join_timeout');
      return;
    }
    e.state = 'retrying';
    e.timer = setTimeout(
      () => {
        e.timer = undefined;
        if (this.entries.get(login) !== e || e.state !== 'retrying') return;
        e.state = 'queued';
        this.queue.push(login);
        this.pump();
      },
      backoffDelay(e.attempts, { baseMs: this.options.retryBaseMs ?? 1000, maxMs: 60_000 }),
    );
  }

  private markFailed(login: string, e: Entry, reason: string): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.state = 'failed';
    e.reason = reason;
    this.options.onFailed?.(login, reason);
    this.settle();
  }

  private settle(): void {
    if (this.idleWaiters.length > 0 && this.outstanding === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
