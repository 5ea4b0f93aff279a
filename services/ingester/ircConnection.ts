import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/log.ts';
import type { IngesterMetrics } from '../../core/metrics.ts';
import type { Capture } from './captureLine.ts';
import { backoffDelay } from '../../core/retry.ts';
import { createLink, type Link } from './ircLink.ts';
import { JOIN_FAILURE_NOTICES } from './joinScheduler.ts';
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

/**
 * Which sockets carry the connection, and why:
 * - `connecting`: none; one is being established (at the start, or after a drop);
 * - `live`: one socket carries every channel;
 * - `replacing`: Twitch asked for a RECONNECT; `link` is the old socket while it lasts, `next` the
 *   replacement once connected (joining its channels before the old one is closed);
 * - `stopped`: for good.
 */
type Phase =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live'; readonly link: Link }
  | { readonly kind: 'replacing'; readonly link: Link | undefined; readonly next: Link | undefined }
  | { readonly kind: 'stopped' };

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
  private phase: Phase = { kind: 'connecting' };
  private attempt = 0;
  private readonly abort = new AbortController();
  private loadSum = 0;

  constructor(private readonly options: IrcConnectionOptions) {
    this.index = options.index;
    this.bucket = new TokenBucket(options.joinRateCount, options.joinRateWindowMs, options.joinRateGuardMs);
  }

  /** The socket whose channels count as joined: the live one, or the old one during a replacement. */
  private get link(): Link | undefined {
    return this.phase.kind === 'live' || this.phase.kind === 'replacing' ? this.phase.link : undefined;
  }

  /** Every socket that must hear about a channel added or removed. */
  private links(): Link[] {
    if (this.phase.kind === 'live') return [this.phase.link];
    if (this.phase.kind === 'replacing') return [this.phase.link, this.phase.next].filter((l): l is Link => l !== undefined);
    return [];
  }

  private get stopped(): boolean {
    return this.phase.kind === 'stopped';
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
    for (const link of this.links()) link.scheduler.add(login);
  }

  remove(login: string): void {
    const viewers = this.channels.get(login);
    if (viewers === undefined) return;
    this.channels.delete(login);
    this.loadSum -= viewers + 1;
    for (const link of this.links()) link.scheduler.remove(login);
    this.options.capture.stopReading([login]);
    this.options.onChange?.();
  }

  /**
   * Stops joining and closes the sockets. With `drain` (an orderly shutdown or a lease handed
   * back), every socket first PARTs its channels and captures what the server had already sent;
   * without it (a lost lease), reading stops at once.
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    const links = this.links();
    this.phase = { kind: 'stopped' };
    this.abort.abort();
    const channels = [...this.channels.keys()];
    for (const l of links) l.scheduler.stop();
    await Promise.all(links.map((l) => l.socket.close(options.drain ? channels : [])));
    this.options.capture.stopReading(channels);
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
    return createLink(this.options, this.bucket, {
      onLine: (link, line, receivedAt, bytes) => this.onLine(link, line, receivedAt, bytes),
      onDrop: (link, reason) => this.onDrop(link, reason),
    });
  }

  private install(link: Link): void {
    if (this.stopped) return;
    this.phase = { kind: 'live', link };
    for (const login of this.channels.keys()) link.scheduler.add(login);
    link.scheduler.resume();
    this.options.logger?.info('IRC connection up', { connection: this.index, channels: this.channels.size });
    this.options.onChange?.();
  }

  /** The channels of this connection that `link` has not joined. */
  private notJoinedOn(link: Link): string[] {
    return [...this.channels.keys()].filter((login) => link.scheduler.state(login) !== 'joined');
  }

  private onLine(link: Link, line: string, receivedAt: number, bytes: Uint8Array): void {
    const result = this.options.capture(line, receivedAt, this.index, bytes);
    if (result.type === 'event') {
      const { event } = result;
      // A line of a channel already removed (sent before the PART took effect): it is not read
      // further, so what it left held goes on now (stopReading).
      if (!this.channels.has(event.channel) && event.channel !== '*') this.options.capture.stopReading([event.channel]);
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
    const phase = this.phase;
    if (phase.kind === 'stopped') return;
    this.options.logger?.warn('IRC connection dropped', { connection: this.index, reason });
    // The socket that carried the channels is gone: until another has joined them, lines are missed.
    if (link === this.link) {
      const next = phase.kind === 'replacing' ? phase.next : undefined;
      this.options.capture.stopReading(next === undefined ? this.channels.keys() : this.notJoinedOn(next));
    }
    if (phase.kind === 'replacing' && link === phase.next) {
      // The replacement died before taking over: keep the old socket and start the replacement over.
      if (phase.link) {
        this.phase = { kind: 'live', link: phase.link };
        void this.replace(phase.link);
      } else {
        this.phase = { kind: 'connecting' };
        void this.reconnect('drop');
      }
    } else if (phase.kind === 'replacing' && link === phase.link) {
      // The old socket went first: the replacement takes over now, or as soon as it is connected.
      this.phase = { kind: 'replacing', link: undefined, next: phase.next };
      this.options.onChange?.();
      if (phase.next) this.promote(phase.next);
    } else if (phase.kind === 'live' && link === phase.link) {
      this.phase = { kind: 'connecting' };
      this.options.onChange?.();
      void this.reconnect('drop');
    }
    // Otherwise a socket already retired after a replacement: nothing carries on it.
  }

  /** RECONNECT: connect and join a replacement, then retire the old socket. */
  private async replace(old: Link): Promise<void> {
    if (this.phase.kind !== 'live') return;
    this.phase = { kind: 'replacing', link: this.phase.link, next: undefined };
    this.options.metrics?.reconnects.inc({ reason: 'reconnect_command' });
    this.options.logger?.info('RECONNECT received; bringing up a replacement', { connection: this.index });
    const next = await this.establish();
    // `establish` gives up only when the connection stopped.
    if (!next || this.phase.kind !== 'replacing') return;
    if (!this.phase.link) {
      this.install(next);
      return;
    }
    this.phase = { kind: 'replacing', link: this.phase.link, next };
    for (const login of this.channels.keys()) next.scheduler.add(login);
    next.scheduler.resume();
    await Promise.race([next.scheduler.whenSettled(), old.dropped]);
    if (this.phase.kind === 'replacing' && this.phase.next === next) this.promote(next);
  }

  private promote(next: Link): void {
    const old = this.link;
    this.phase = { kind: 'live', link: next };
    // A channel the replacement has not joined (yet, or at all) is not read from here on.
    if (old && old !== next) this.options.capture.stopReading(this.notJoinedOn(next));
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
