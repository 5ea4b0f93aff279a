import type { LiveListener, LiveSource } from './liveSource.ts';
import type { ChatReader } from './types.ts';

export interface PollingOptions {
  /** How often a channel with tails asks the database (1 s). */
  readonly intervalMs?: number;
  /**
   * How far behind the newest stored sent_at an event may land and still be tailed (30 s): events
   * reach the store a little out of sent_at order (shards, batches), so each poll reads back this
   * far and skips the ids it already sent. Later than that, it is in the logs but not in the tail.
   */
  readonly lateMs?: number;
  readonly onError?: (error: unknown) => void;
}

const END_OF_TIME = Number.MAX_SAFE_INTEGER;

/** One channel's poll loop, shared by every tail of that channel; it runs while it has listeners. */
class ChannelPoll {
  readonly listeners = new Set<LiveListener>();
  /** Ids sent, with their sent_at, within the late window of the newest: what the next poll skips. */
  private readonly seen = new Map<string, number>();
  private newest = -Infinity;
  private state: { readonly phase: 'running'; timer: NodeJS.Timeout | undefined } | { readonly phase: 'stopped' } = {
    phase: 'running',
    timer: undefined,
  };

  /** Settles once what was stored before the first subscriber has been noted (never rejects). */
  readonly ready: Promise<void>;

  constructor(
    private readonly reader: ChatReader,
    private readonly channel: string,
    private readonly options: Required<PollingOptions>,
  ) {
    this.ready = this.start();
  }

  stop(): void {
    if (this.state.phase === 'running') clearTimeout(this.state.timer);
    this.state = { phase: 'stopped' };
  }

  /** What is stored now is the past: remembered, not sent. */
  private async start(): Promise<void> {
    try {
      const last = await this.reader.lastEventAt({ channel: this.channel });
      await this.poll(last === null ? Date.now() : last, false);
    } catch (error) {
      this.options.onError(error);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.state.phase !== 'running') return;
    this.state.timer = setTimeout(() => {
      this.poll(this.newest, true)
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async poll(after: number, deliver: boolean): Promise<void> {
    const fromMs = (Number.isFinite(after) ? after : Date.now()) - this.options.lateMs;
    for await (const event of this.reader.events({ channel: this.channel }, { fromMs, toMs: END_OF_TIME })) {
      if (this.state.phase === 'stopped') return;
      if (this.seen.has(event.event_id)) continue;
      this.seen.set(event.event_id, event.sent_at);
      this.newest = Math.max(this.newest, event.sent_at);
      if (deliver) for (const listener of this.listeners) listener(event);
    }
    for (const [id, sentAt] of this.seen) if (sentAt < this.newest - this.options.lateMs) this.seen.delete(id);
  }
}

/**
 * The live tail without the stream (`poglytics serve` alone): each tailed channel polls the
 * reader for events newer than the newest it has seen, in sent_at order, every `intervalMs`.
 * An index seek on (channel, sent_at) per channel per second, whatever the number of tails.
 */
export class PollingLiveSource implements LiveSource {
  private readonly polls = new Map<string, ChannelPoll>();
  private readonly options: Required<PollingOptions>;

  constructor(
    private readonly reader: ChatReader,
    options: PollingOptions = {},
  ) {
    this.options = { intervalMs: 1000, lateMs: 30_000, onError: () => undefined, ...options };
  }

  async subscribe(channel: string, listener: LiveListener): Promise<() => void> {
    let poll = this.polls.get(channel);
    if (poll === undefined) this.polls.set(channel, (poll = new ChannelPoll(this.reader, channel, this.options)));
    poll.listeners.add(listener);
    await poll.ready;
    return () => {
      poll.listeners.delete(listener);
      if (poll.listeners.size > 0) return;
      poll.stop();
      this.polls.delete(channel);
    };
  }

  close(): void {
    for (const poll of this.polls.values()) poll.stop();
    this.polls.clear();
  }
}
