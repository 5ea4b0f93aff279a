/**
 * The JOIN budget of one IRC connection: at most `capacity` tokens spent in any `windowMs`.
 * Each spent token comes back `windowMs` (+ `guardMs`) after it was spent, so the bucket matches
 * Twitch's sliding-window rule exactly (a classic refill-at-rate bucket could spend 2× capacity
 * inside one window: a full burst, then a window's worth of refill). `guardMs` absorbs network
 * jitter between our clock and the server's.
 */
export class TokenBucket {
  private readonly spentAt: number[] = [];
  private head = 0;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    private readonly guardMs = 0,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacity >= 1) || !(windowMs > 0)) throw new RangeError('TokenBucket needs capacity >= 1 and windowMs > 0');
  }

  /** Tokens that may be spent right now. */
  available(): number {
    this.expire();
    return this.capacity - (this.spentAt.length - this.head);
  }

  /** Spends up to `n` tokens and returns how many were spent. */
  take(n: number): number {
    const k = Math.max(0, Math.min(n, this.available()));
    const t = this.now();
    for (let i = 0; i < k; i++) this.spentAt.push(t);
    return k;
  }

  /** Milliseconds until at least one token is available (0 when one is). */
  msUntilAvailable(): number {
    if (this.available() > 0) return 0;
    return Math.max(1, this.spentAt[this.head]! + this.windowMs + this.guardMs - this.now());
  }

  private expire(): void {
    const cutoff = this.now() - this.windowMs - this.guardMs;
    while (this.head < this.spentAt.length && this.spentAt[this.head]! <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.spentAt.length) {
      this.spentAt.splice(0, this.head);
      this.head = 0;
    }
  }
}
