/** Events per second over the last `windowSeconds`, from per-second buckets (O(1) per event). */
export class SlidingRate {
  private readonly buckets: number[];
  private currentSecond: number;

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Array<number>(windowSeconds).fill(0);
    this.currentSecond = Math.floor(this.now() / 1000);
  }

  add(count = 1): void {
    this.advance();
    this.buckets[this.currentSecond % this.windowSeconds]! += count;
  }

  /** Average rate over the window's completed seconds plus the current one. */
  perSecond(): number {
    this.advance();
    let total = 0;
    for (const n of this.buckets) total += n;
    return total / this.windowSeconds;
  }

  private advance(): void {
    const second = Math.floor(this.now() / 1000);
    if (second === this.currentSecond) return;
    const steps = Math.min(this.windowSeconds, second - this.currentSecond);
    for (let i = 1; i <= steps; i++) this.buckets[(this.currentSecond + i) % this.windowSeconds] = 0;
    this.currentSecond = second;
  }
}
