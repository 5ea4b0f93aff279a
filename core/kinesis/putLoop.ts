import { setTimeout as sleep } from 'node:timers/promises';
import type { Batch } from './kinesisProducerOptions.ts';
import type { PutPacer } from './putPacer.ts';

export interface PutLoopDeps {
  readonly pacer: PutPacer;
  /** Aborts the pacing wait (shutdown); the call in flight sees the same signal. */
  readonly signal: AbortSignal;
  /** The next call's entries: journal first, then memory; undefined when there is nothing to send. */
  takeBatch(): Batch | undefined;
  /** One PutRecords call and its outcome (never throws). */
  send(batch: Batch): Promise<void>;
  /** After each call, and once when there is nothing left to send. */
  afterSend(): void;
  onDrained(): void;
  /** Records waiting in memory: a loop that ends while some were sealed starts again. */
  hasQueued(): boolean;
}

/**
 * The producer's put loop: paced by the PutPacer, one call in flight at a time. `idle` (no loop
 * running), `running`, or `stopped` for good; a kick while running is absorbed by the loop.
 */
export class PutLoop {
  private state: { kind: 'idle' } | { kind: 'running'; done: Promise<void> } | { kind: 'stopped' } = { kind: 'idle' };
  /** The call in flight: its bytes still count against the producer's memory bound. */
  inFlight: Batch | undefined;

  constructor(private readonly deps: PutLoopDeps) {}

  get running(): boolean {
    return this.state.kind === 'running';
  }

  kick(): void {
    if (this.state.kind !== 'idle') return;
    const done = this.loop().finally(() => {
      if (this.state.kind === 'stopped') return;
      this.state = { kind: 'idle' };
      // New records may have been sealed while the last call was finishing; the producer's journal
      // tick restarts the loop for a journal that could not be read just now.
      if (this.deps.hasQueued()) this.kick();
    });
    this.state = { kind: 'running', done };
  }

  /** No further call starts; resolves once the running loop (if any) has returned. */
  async stop(): Promise<void> {
    const previous = this.state;
    this.state = { kind: 'stopped' };
    if (previous.kind === 'running') await previous.done;
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.state.kind === 'stopped') return;
      const wait = this.deps.pacer.resumeAt - Date.now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal: this.deps.signal });
        } catch {
          return;
        }
      }
      const batch = this.deps.takeBatch();
      if (!batch) {
        this.deps.onDrained();
        return;
      }
      this.inFlight = batch;
      try {
        await this.deps.send(batch);
      } finally {
        this.inFlight = undefined;
      }
      this.deps.afterSend();
    }
  }
}
