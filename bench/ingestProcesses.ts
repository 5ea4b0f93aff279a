/** The ingest bench's child processes: the reader CPU pinning, node children, their output and metrics. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const progress = (msg: string) => process.env.BENCH_DEBUG && process.stderr.write(`[ingest bench] ${msg}\n`);

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CPU every reader child runs on, set by pinCpus(). */
let readerCpu: number | undefined;

/**
 * "On one core": each reader (tmi.js alone, the ingester) runs on one CPU, the last, and this
 * process (simulator, emulators) on the others. BENCH_PIN_CPU=N picks the reader CPU, =off turns
 * pinning off; without taskset or with a single CPU nothing is pinned.
 */
export function pinCpus(): void {
  const setting = process.env.BENCH_PIN_CPU;
  const cpus = availableParallelism();
  if (setting === 'off' || cpus < 2 || spawnSync('taskset', ['--version']).status !== 0) return;
  const cpu = setting === undefined ? cpus - 1 : Number(setting);
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= cpus)
    throw new Error(`BENCH_PIN_CPU must be off or a CPU number below ${cpus}, got "${setting}"`);
  const others = Array.from({ length: cpus }, (_, i) => i).filter((i) => i !== cpu);
  spawnSync('taskset', ['-a', '-pc', others.join(','), String(process.pid)]);
  readerCpu = cpu;
  progress(`readers on CPU ${cpu}, simulator and emulators on CPU ${others.join(',')}`);
}

/** A node child, on the reader CPU when pinning is on (taskset execs node, so the pid is node's). */
export function spawnNode(args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return readerCpu === undefined
    ? spawn(process.execPath, args, options)
    : spawn('taskset', ['-c', String(readerCpu), process.execPath, ...args], options);
}

export function lineWaiter(child: ChildProcess) {
  let out = '';
  const waiters: { match: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.match.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return (match: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const m = match.exec(out);
      if (m) resolve(m);
      else waiters.push({ match, resolve });
    });
}

export async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}

export async function spawnIngester(env: Record<string, string>) {
  const child = spawnNode(
    [...(process.env.BENCH_INGESTER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'services/ingester/main.ts'],
    { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const wait = lineWaiter(child);
  if (process.env.BENCH_DEBUG) child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[ingester] ${chunk.toString()}`));
  const port = Number((await wait(/"metricsPort":(\d+)/))[1]);
  return {
    port,
    child,
    metric: async (name: string) => (await scrape(port)).get(name) ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
