/**
 * Simulator throughput: event lines per second delivered over loopback to raw WebSocket readers
 * (not tmi.js) that joined every channel, beside the reference of splitting the same received bytes
 * into lines. The simulator runs in its own process (`poglytics sim`) with a target rate above the
 * required 50,000 lines/s; what arrives is what it sustains on this machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const BIN = fileURLToPath(new URL('../bin/poglytics.js', import.meta.url));
/** Above the 50,000 lines/s the simulator must sustain; delivered below this means it could not keep up. */
const TARGET_RATE = 60_000;
const EVENT_LINE = / (PRIVMSG|USERNOTICE|CLEARCHAT|CLEARMSG|ROOMSTATE|NOTICE) /;

/** CPU seconds the process has used (Linux /proc; clock ticks of 10 ms), or NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function startSimProcess(args: string[]): Promise<{ ircUrl: string; cpu(): number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...(process.env.SIM_BENCH_NODE_ARGS?.split(' ') ?? []), BIN, 'sim', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const ircUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /TWITCH_IRC_URL=(\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`poglytics sim exited with ${code}`)));
  });
  return {
    ircUrl,
    cpu: () => cpuSeconds(child.pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

interface Reader {
  lines: number;
  frames: string[];
  keptBytes: number;
  ws: WebSocket;
}

async function connectReader(ircUrl: string, channels: string[], index: number, keepBytes: number): Promise<Reader> {
  const ws = new WebSocket(ircUrl, 'irc');
  const reader: Reader = { lines: 0, frames: [], keptBytes: 0, ws };
  await once(ws, 'open');
  let joined = 0;
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (joined < channels.length) joined += text.split(' ROOMSTATE ').length - 1;
    // Count newline-terminated lines without splitting: the split is the reference measured later.
    let at = -1;
    while ((at = text.indexOf('\n', at + 1)) !== -1) reader.lines++;
    if (reader.keptBytes < keepBytes) {
      reader.frames.push(text);
      reader.keptBytes += text.length;
    }
  });
  ws.send(`CAP REQ :twitch.tv/tags twitch.tv/commands\r\nPASS SCHMOOPIIE\r\nNICK justinfan${1000 + index}`);
  for (let i = 0; i < channels.length; i += 500)
    ws.send(
      `JOIN ${channels
        .slice(i, i + 500)
        .map((c) => `#${c}`)
        .join(',')}`,
    );
  const deadline = Date.now() + 60_000;
  while (joined < channels.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return reader;
}

export async function bench(options: { quick: boolean }): Promise<Record<string, number>> {
  const channels = options.quick ? 10_000 : 100_000;
  const connections = options.quick ? 10 : 50;
  const seconds = options.quick ? 3 : 10;
  const sim = await startSimProcess([
    '--channels',
    String(channels),
    '--rate',
    String(TARGET_RATE),
    '--no-join-limit',
    '--ground-truth-mode',
    'counts',
    '--helix-rate',
    '0',
  ]);
  try {
    const logins = await listChannels(sim.ircUrl, channels);
    const per = Math.ceil(logins.length / connections);
    const readers = await Promise.all(
      Array.from({ length: connections }, (_, i) =>
        connectReader(sim.ircUrl, logins.slice(i * per, (i + 1) * per), i, (64 << 20) / connections),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const startLines = readers.reduce((n, r) => n + r.lines, 0);
    for (const r of readers) {
      r.frames = [];
      r.keptBytes = 0;
    }
    const started = performance.now();
    const cpuStart = sim.cpu();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - started) / 1000;
    const simCpu = sim.cpu() - cpuStart;
    const delivered = readers.reduce((n, r) => n + r.lines, 0) - startLines;
    const stats = (await (await fetch(`${sim.ircUrl.replace(/^ws/, 'http')}/_sim/stats`)).json()) as { droppedSlowReaders: number };
    for (const r of readers) r.ws.terminate();

    // Reference: split the bytes the readers kept into lines (what any reader must at least do).
    const frames = readers.flatMap((r) => r.frames);
    let split = 0;
    let events = 0;
    const t0 = performance.now();
    for (let round = 0; round < 3; round++) {
      for (const frame of frames) {
        const lines = frame.split('\r\n');
        split += lines.length - 1;
        if (round === 0) for (const line of lines) if (EVENT_LINE.test(line)) events++;
      }
    }
    const splitSeconds = (performance.now() - t0) / 1000;
    return {
      'sim.messages_per_s': Math.round(delivered / elapsed),
      // Lines per CPU-second of the simulator process: comparable when other work shares the cores.
      'sim.messages_per_cpu_s': Math.round(delivered / simCpu),
      'sim.cpu_share': Number((simCpu / elapsed).toFixed(2)),
      'sim.split_lines_per_s': Math.round(split / splitSeconds),
      'sim.target_rate': TARGET_RATE,
      'sim.dropped_readers': stats.droppedSlowReaders,
      'sim.channels': channels,
      'sim.connections': connections,
      'sim.event_line_share': Number((events / Math.max(1, split / 3)).toFixed(4)),
    };
  } finally {
    await sim.stop();
  }
}

/** The simulator's channel logins, read from its Helix (a token first, then all pages). */
async function listChannels(ircUrl: string, expected: number): Promise<string[]> {
  const http = ircUrl.replace(/^ws/, 'http');
  const tokenRes = await fetch(
    `${http}/oauth2/token?client_id=sim-client-id&client_secret=sim-client-secret&grant_type=client_credentials`,
    { method: 'POST' },
  );
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const logins: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await fetch(`${http}/helix/streams?first=100${cursor ? `&after=${cursor}` : ''}`, {
      headers: { 'Client-Id': 'sim-client-id', Authorization: `Bearer ${token}` },
    });
    const page = (await res.json()) as { data: Array<{ user_login: string }>; pagination: { cursor?: string } };
    logins.push(...page.data.map((s) => s.user_login));
    cursor = page.pagination.cursor;
  } while (cursor !== undefined && logins.length < expected);
  return logins;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await bench({ quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
