import { setTimeout as delay } from 'node:timers/promises';

/** Time as the Helix client sees it: injectable so tests can skip rate-limit waits. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => delay(Math.max(0, ms)).then(() => undefined),
};
