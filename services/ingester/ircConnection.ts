import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { Capture } from './captureLine.ts';
import { backoffDelay } from '../../core/retry.ts';
import { IrcSocket } from './ircSocket.ts';
import { JoinScheduler, JOIN_FAILURE_NOTICES } from './joinScheduler.ts';
import type { IrcEndpoint } from './parseIrcUrl.ts';
import { TokenBucket } from './tokenBucket.ts';

export interface ConnectionSettings {
  readonly endpoint: IrcEndpoint;
  readonly joinRateCount: number;
  readonly joinRateWindowMs: number;
  /** Extra wait before a spent JOIN token returns (absorbs clock and network jitter). */
  readonly joinRateGuardMs: number;
  readonly joinTimeoutMs: number;
  readonly joinMaxAttempts: number;
  readonly pingIdleMs: number;
  readonly pongTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
}

export interface IrcConnectionOptions extends ConnectionSettings {
  readonly index: number;
  /** Normalizes and forwards one line; the result routes protocol handling. */
  readonly capture: Capture;
  readonly onChange?: () => void;
  readonly onJoined?: (login: string) => void;
  readonly metrics?: IngesterMetrics;
  readonly logger?: Logger;
}

interface Link {
  readonly socket: IrcSocket;
  readonly scheduler: JoinScheduler;
  readonly dropped: Promise<void>;
}

/**
 * One logical IRC connection of the pool: its channels, its JOIN budget (one token bucket that
 * outlives sockets, so rejoins after a reconnect are paced by the same budget) and the socket
 * currently carrying it. A dropped socket is replaced with capped exponential backoff and
 * jitter (reset after a good connect). On Twitch's RECONNECT the replacement is connected and
 * joined first, and only then is the old socket closed; the overlap yields duplicate events,
 * which sinks dedupe on event_id.
 */
export class IrcConnection {
  readonly index: number;
  readonly channels = new Map<string, number>();
  private readonly bucket: TokenBucket;
  private link: Link | undefined;
  private handover: Link | undefined;
  private replacing = false;
  private attempt = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private loadSum = 0;

  constructor(private readonly options: IrcConnectionOptions) {
    this.index = options.index;
    this.bucket = new TokenBucket(options.joinRateCount, options.joinRateWindowMs, options.joinRateGuardMs);
  }

  get load(): number {
    return this.loadSum;
  }

  get isUp(): boolean {
    return this.link?.socket.isOpen ?? false;
  }

  get joined(): number {
    return this.link?.scheduler.joined ?? 0;
  }

  failures(): Map<string, string> {
    return this.link?.scheduler.failures() ?? new Map<string, string>();
  }

  joinState(login: string) {
    return this.link?.scheduler.state(login);
  }

  start(): void {
    void this.reconnect(undefined);
  }

  add(login: string, viewers: number): void {
    if (this.channels.has(login)) return;
    this.channels.set(login, viewers);
    this.loadSum += viewers + 1;
    this.link?.scheduler.add(login);
    this.handover?.scheduler.add(login);
  }

  remove(login: string): void {
    const viewers = this.channels.get(login);
    if (viewers === undefined) return;
    this.channels.delete(login);
    this.loadSum -= viewers + 1;
    this.link?.scheduler.remove(login);
    this.handover?.scheduler.remove(login);
    this.options.onChange?.();
  }

  /**
   * Stops joining and closes the sockets. With `drain` (an orderly shutdown or a lease handed
   * back), every socket first PARTs its channels and captures what the server had already sent;
   * without it (a lost lease), reading stops at once.
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    const links = [this.link, this.handover].filter((l): l is Link => l !== undefined);
    const channels = [...this.channels.keys()];
    for (const l of links) l.scheduler.stop();
    await Promise.all(links.map((l) => l.socket.close(options.drain ? channels : [])));
    this.link = undefined;
    this.handover = undefined;
    this.options.onChange?.();
  }

  private async reconnect(reason: string | undefined): Promise<void> {
    if (reason) {
      this.options.metrics?.reconnects.inc({ reason });
      try {
        await sleep(backoffDelay(this.attempt++, { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs }), undefined, {
          signal: this.abort.signal,
        });
      } catch {
        return;
      }
    }
    const link = await this.establish();
    if (link) this.install(link);
  }

  /** Connects a new socket, retrying with backoff until it succeeds or the connection stops. */
  private async establish(): Promise<Link | undefined> {
    while (!this.stopped) {
      const link = this.createLink();
      try {
        await link.socket.connect(this.options.connectTimeoutMs);
      } catch (error) {
        link.scheduler.stop();
        this.options.metrics?.reconnects.inc({ reason: 'connect_failed' });
        const delay = backoffDelay(this.attempt++, { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs });
        this.options.logger?.warn('IRC connect failed', { connection: this.index, error: error as Error, retryInMs: delay });
        try {
          await sleep(delay, undefined, { signal: this.abort.signal });
        } catch {
          return undefined;
        }
        continue;
      }
      if (this.stopped) {
        link.scheduler.stop();
        await link.socket.close();
        return undefined;
      }
      this.attempt = 0;
      return link;
    }
    return undefined;
  }

  private createLink(): Link {
    let markDropped!: () => void;
    const dropped = new Promise<void>((resolve) => (markDropped = resolve));
    const { metrics, logger } = this.options;
    const scheduler: JoinScheduler = new JoinScheduler({
      bucket: this.bucket,
      send: (line) => socket.send(line),
      timeoutMs: this.options.joinTimeoutMs,
      maxAttempts: this.options.joinMaxAttempts,
      onJoined: (login, latencyMs) => {
        metrics?.joinAttempts.inc({ result: 'success' });
        metrics?.joinLatency.observe(latencyMs / 1000);
        this.options.onJoined?.(login);
        this.options.onChange?.();
      },
      onTimeout: () => metrics?.joinAttempts.inc({ result: 'timeout' }),
      onFailed: (login, reason) => {
        if (reason !== 'join_timeout') metrics?.joinAttempts.inc({ result: 'failed' });
        metrics?.joinFailures.inc({ reason });
        logger?.warn('channel join failed', { connection: this.index, channel: login, reason });
        this.options.onChange?.();
      },
    });
    const socket: IrcSocket = new IrcSocket({
      endpoint: this.options.endpoint,
      pingIdleMs: this.options.pingIdleMs,
      pongTimeoutMs: this.options.pongTimeoutMs,
      ...(logger ? { logger } : {}),
      onLine: (line, receivedAt, bytes) => this.onLine(link, line, receivedAt, bytes),
      onUndecodable: (bytes, receivedAt) => this.options.capture.rejectBytes(bytes, receivedAt, this.index),
      onDrop: (reason) => {
        markDropped();
        this.onDrop(link, reason);
      },
    });
    const link: Link = { socket, scheduler, dropped };
    return link;
  }

  private install(link: Link): void {
    if (this.stopped) return;
    this.link = link;
    for (const login of this.channels.keys()) link.scheduler.add(login);
    link.scheduler.resume();
    this.options.logger?.info('IRC connection up', { connection: this.index, channels: this.channels.size });
    this.options.onChange?.();
  }

  private onLine(link: Link, line: string, receivedAt: number, bytes: Uint8Array): void {
    const result = this.options.capture(line, receivedAt, this.index, bytes);
    if (result.type === 'event') {
      const { event } = result;
      if (event.kind === 'roomstate') link.scheduler.confirm(event.channel, receivedAt);
      else if (event.kind === 'notice' && event.subtype !== null && JOIN_FAILURE_NOTICES.has(event.subtype)) {
        link.scheduler.fail(event.channel, event.subtype);
      }
    } else if (result.type === 'ignored') {
      if (result.command === 'PING') link.socket.send(line.replace(/^(?:@\S+ )?(?::\S+ )?PING/, 'PONG'));
      else if (result.command === 'RECONNECT') void this.replace(link);
    }
  }

  private onDrop(link: Link, reason: string): void {
    link.scheduler.stop();
    if (this.stopped) return;
    this.options.logger?.warn('IRC connection dropped', { connection: this.index, reason });
    if (link === this.handover) {
      this.handover = undefined;
      this.replacing = false;
      if (this.link) void this.replace(this.link);
      else void this.reconnect('drop');
    } else if (link === this.link) {
      this.link = undefined;
      this.options.onChange?.();
      if (this.handover) this.promote(this.handover);
      else if (!this.replacing) void this.reconnect('drop');
    }
  }

  /** RECONNECT: connect and join a replacement, then retire the old socket. */
  private async replace(old: Link): Promise<void> {
    if (this.replacing || this.stopped) return;
    this.replacing = true;
    this.options.metrics?.reconnects.inc({ reason: 'reconnect_command' });
    this.options.logger?.info('RECONNECT received; bringing up a replacement', { connection: this.index });
    const next = await this.establish();
    if (!next || this.stopped) {
      this.replacing = false;
      return;
    }
    if (!this.link) {
      this.replacing = false;
      this.install(next);
      return;
    }
    this.handover = next;
    for (const login of this.channels.keys()) next.scheduler.add(login);
    next.scheduler.resume();
    await Promise.race([next.scheduler.whenSettled(), old.dropped]);
    if (this.handover === next) this.promote(next);
  }

  private promote(next: Link): void {
    const old = this.link;
    this.link = next;
    this.handover = undefined;
    this.replacing = false;
    this.options.logger?.info('replacement connection joined; closing the old one', {
      connection: this.index,
      joined: next.scheduler.joined,
    });
    this.options.onChange?.();
    if (old && old !== next) {
      old.scheduler.stop();
      void old.socket.close();
    }
  }
}
