import { build } from 'esbuild';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GroundTruthRecord, SimStats, SimulatorOptionsInput } from '../services/twitch-sim/types.ts';
import type { SimRequest } from './scaleSimWorker.ts';

export interface SimChannelInfo {
  readonly login: string;
  readonly id: string;
  readonly displayName: string;
  readonly viewers: number;
}

/** What bench/scale.ts asks of the simulator running on its own thread (bench/scaleSimWorker.ts). */
export interface SimWorker {
  readonly ircUrl: string;
  readonly helixUrl: string;
  readonly authUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly channels: readonly SimChannelInfo[];
  setLive(login: string, live: boolean): Promise<void>;
  setViewers(login: string, viewers: number): Promise<void>;
  /** A line to the connections that joined `login` (recorded as a control line); false when none did. */
  sendLine(login: string, line: string): Promise<boolean>;
  stats(): Promise<SimStats>;
  firstJoinAt(): Promise<number>;
  stopTraffic(): Promise<void>;
  /** Every traffic line sent to a joined connection, as the ground truth keeps it. */
  trafficRecords(): Promise<GroundTruthRecord[]>;
  close(): Promise<void>;
}

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

export async function startSimWorker(options: SimulatorOptionsInput): Promise<SimWorker> {
  // Node 20 runs a .ts worker entry before tsx's (per-thread) hooks exist: the thread runs a bundle.
  const entry = join(dirname(fileURLToPath(import.meta.url)), '.scale-build', 'sim-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./scaleSimWorker.ts', import.meta.url))],
    outfile: entry,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
  const worker = new Worker(entry, { workerData: options, execArgv: [] });
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  // A thread that failed or exited answers nothing more: its callers fail instead of waiting forever.
  let gone: Error | null = null;
  const fail = (error: Error) => {
    gone ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const started = new Promise<{ ready: Omit<SimWorker, keyof SimWorkerCalls> }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { ready?: unknown; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) resolve(message as { ready: Omit<SimWorker, keyof SimWorkerCalls> });
      else if (message.id !== undefined) {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(`simulator thread: ${message.error}`));
        else p?.resolve(message.result);
      }
    });
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`the simulator thread exited (code ${code})`)));
  const info = (await started).ready;
  const call = <T>(request: Without<SimRequest>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    ...info,
    setLive: (login, live) => call({ op: 'setLive', login, live }),
    setViewers: (login, viewers) => call({ op: 'setViewers', login, viewers }),
    sendLine: (login, line) => call({ op: 'sendLine', login, line }),
    stats: () => call({ op: 'stats' }),
    firstJoinAt: () => call({ op: 'firstJoinAt' }),
    stopTraffic: () => call({ op: 'stopTraffic' }),
    trafficRecords: () => call({ op: 'records' }),
    async close() {
      await call({ op: 'close' });
      const exited = once(worker, 'exit');
      await worker.terminate();
      await exited;
    },
  };
}

type SimWorkerCalls = Pick<
  SimWorker,
  'setLive' | 'setViewers' | 'sendLine' | 'stats' | 'firstJoinAt' | 'stopTraffic' | 'trafficRecords' | 'close'
>;
