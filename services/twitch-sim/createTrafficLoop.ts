import type { ChannelCatalog } from './createChannelCatalog.ts';
import type { IrcServer } from './createIrcServer.ts';
import { createPrng } from './createPrng.ts';
import type { TrafficGenerator } from './createTrafficGenerator.ts';
import type { GeneratedLine } from './types.ts';

export interface TrafficLoop {
  start(): void;
  stop(): void;
  readonly running: boolean;
  /** Draws `draws` events now (channels by Zipf weight) and sends those in joined channels; returns lines sent. */
  tick(draws: number): number;
  setRate(messagesPerSecond: number): void;
  readonly rate: number;
  readonly linesGenerated: number;
}

/**
 * Every `tickMs`, the budget `rate × elapsed` is spread over channels by Zipf weight. Draws that land
 * on a channel nobody joined are skipped without building a line (they were sent to no one).
 */
export function createTrafficLoop(deps: {
  seed: number;
  tickMs: number;
  rate: number;
  catalog: ChannelCatalog;
  generator: TrafficGenerator;
  irc: IrcServer;
  now: () => number;
  generateUnjoined?: boolean;
}): TrafficLoop {
  const prng = createPrng(deps.seed ^ 0x10a0);
  let rate = deps.rate;
  let timer: NodeJS.Timeout | null = null;
  let last = 0;
  let budget = 0;
  let linesGenerated = 0;

  function tick(draws: number): number {
    if (draws <= 0 || (!deps.generateUnjoined && deps.irc.subscribedChannels() === 0)) return 0;
    deps.irc.dropSlowReaders();
    const lines: GeneratedLine[] = [];
    const now = deps.now();
    let drawn = 0;
    while (drawn < draws) {
      const index = deps.catalog.sample(prng.next());
      if (!deps.generateUnjoined && !deps.irc.hasSubscribers(index)) {
        drawn++;
        continue;
      }
      const before = lines.length;
      deps.generator.generate(index, now, lines);
      drawn += Math.max(1, lines.length - before);
    }
    linesGenerated += lines.length;
    deps.irc.deliver(lines, 'traffic');
    return lines.length;
  }

  function onTimer(): void {
    const t = performance.now();
    // A stalled loop catches up by at most a few ticks, never with a one-second burst.
    budget = Math.min(budget + (rate * (t - last)) / 1000, Math.max(1, (rate * deps.tickMs * 4) / 1000));
    last = t;
    const draws = Math.floor(budget);
    budget -= draws;
    tick(draws);
  }

  return {
    start() {
      if (timer !== null) return;
      last = performance.now();
      budget = 0;
      timer = setInterval(onTimer, deps.tickMs);
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    get running() {
      return timer !== null;
    },
    tick,
    setRate(value) {
      if (!(value >= 0)) throw new RangeError('rate must be >= 0');
      rate = value;
    },
    get rate() {
      return rate;
    },
    get linesGenerated() {
      return linesGenerated;
    },
  };
}
