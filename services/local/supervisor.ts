import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../../core/log.ts';
import { backoffDelay } from '../../core/retry.ts';

export interface SupervisedProcess {
  readonly index: number;
  readonly metricsPort: number;
  child: ChildProcess | undefined;
  /** TASK_ID of the running child: its lease owner id. */
  taskId: string;
  restarts: number;
  /** Crashes in a row without a healthy run in between (drives the restart backoff). */
  crashStreak: number;
  startedAt: number;
  stopping: boolean;
}

export interface SupervisorOptions {
  /** argv for one worker, e.g. [process.execPath, '--import', 'tsx', 'services/ingester/main.ts']. */
  readonly command: readonly [string, ...string[]];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Worker i listens for metrics on firstMetricsPort + i; null gives each worker a free port. */
  readonly firstMetricsPort: number | null;
  /** Worker i journals to <journalRoot>/worker-i, so its replacement drains what it left. */
  readonly journalRoot: string;
  readonly logger: Logger;
  /** Grace period for a worker to finish its SIGTERM shutdown before SIGKILL. */
  readonly stopTimeoutMs: number;
  readonly onOutput?: (index: number, line: string) => void;
  /**
   * A worker died without being asked to (crash, kill -9). Called at once with its task id, so
   * its leases can be expired before the replacement even starts (no wait for the lease to run out).
   */
  readonly onWorkerDied?: (taskId: string, diedAt: number) => Promise<void>;
  /**
   * A worker that exits with FATAL_EXIT_CODE cannot start as configured (a bad setting, its port
   * taken): a replacement would fail the same way forever. With this set, it is not replaced and
   * this is called with its last stderr line; without it, it is replaced like any crash.
   */
  readonly onFatal?: (index: number, message: string) => void;
}

/** The exit code of a worker that cannot start as configured (the ingester's, for a ConfigError). */
export const FATAL_EXIT_CODE = 2;

/** A worker that ran this long before dying is restarted without backoff (its crash streak ends). */
const HEALTHY_RUN_MS = 30_000;

/**
 * The local stand-in for ECS: keeps `desired` worker processes running, replaces crashed ones
 * with capped backoff, and scales down by SIGTERM (the worker flushes and releases its lease),
 * escalating to SIGKILL after the stop timeout as ECS does.
 */
export class Supervisor {
  private readonly workers: SupervisedProcess[] = [];
  private desired = 0;
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {}

  get desiredCount(): number {
    return this.desired;
  }

  get running(): readonly SupervisedProcess[] {
    return this.workers.filter((w) => w.child && w.child.exitCode === null && w.child.signalCode === null);
  }

  get metricsPorts(): number[] {
    return this.workers.map((w) => w.metricsPort);
  }

  async setDesiredCount(count: number): Promise<void> {
    if (this.stopped) return;
    this.desired = count;
    while (this.workers.length < count) this.startWorker(this.workers.length);
    const surplus = this.workers.splice(count);
    await Promise.all(surplus.map((w) => this.stopWorker(w)));
  }

  /** Kills one worker abruptly (tests use this to prove a replacement takes over). */
  kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.workers[index]?.child?.kill(signal);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => this.stopWorker(w)));
  }

  private startWorker(index: number, previous?: SupervisedProcess): void {
    const port = this.options.firstMetricsPort === null ? freePort() : this.options.firstMetricsPort + index;
    const worker: SupervisedProcess = previous ?? {
      index,
      metricsPort: port,
      child: undefined,
      taskId: '',
      restarts: 0,
      crashStreak: 0,
      startedAt: 0,
      stopping: false,
    };
    if (!previous) this.workers[index] = worker;
    worker.taskId = `local-${index}-${worker.restarts}`;
    worker.startedAt = Date.now();
    const [file, ...args] = this.options.command;
    const child = spawn(file, args, {
      cwd: this.options.cwd,
      env: {
        ...this.options.env,
        METRICS_PORT: String(worker.metricsPort),
        TASK_ID: worker.taskId,
        JOURNAL_DIR: `${this.options.journalRoot}/worker-${index}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.child = child;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.options.onOutput?.(index, line);
    };
    let lastErrorLine: string | undefined;
    child.stdout?.on('data', forward);
    child.stderr?.on('data', (chunk: Buffer) => {
      forward(chunk);
      lastErrorLine =
        chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim())
          .pop() ?? lastErrorLine;
    });
    child.on('exit', (code, signal) => {
      if (worker.stopping || this.stopped || !this.workers.includes(worker)) return;
      const diedAt = Date.now();
      const taskId = worker.taskId;
      // ECS would report the task STOPPED; here we know it first-hand: free its slot at once.
      this.options.onWorkerDied?.(taskId, diedAt).catch((error: unknown) =>
        this.options.logger.warn('could not expire the dead ingester leases; they will run out', {
          index,
          taskId,
          error: error as Error,
        }),
      );
      const onFatal = this.options.onFatal;
      if (code === FATAL_EXIT_CODE && onFatal) {
        // 'close' comes after 'exit' once stderr is drained, so the child's last line has been read.
        child.once('close', () => onFatal(index, lastErrorLine ?? `worker ${index} exited with code ${code} at startup`));
        return;
      }
      worker.restarts++;
      worker.crashStreak = diedAt - worker.startedAt >= HEALTHY_RUN_MS ? 1 : worker.crashStreak + 1;
      const delay = backoffDelay(Math.min(worker.crashStreak - 1, 6), { baseMs: 250, maxMs: 10_000 });
      this.options.logger.warn('ingester exited; replacing it', { index, taskId, code, signal, restartInMs: delay });
      setTimeout(() => {
        if (!worker.stopping && !this.stopped && this.workers.includes(worker)) this.startWorker(index, worker);
      }, delay).unref();
    });
  }

  private async stopWorker(worker: SupervisedProcess): Promise<void> {
    worker.stopping = true;
    const child = worker.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** A port that is free now: asked of the OS synchronously, so a worker can be started at once. */
function freePort(): number {
  const script =
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}
