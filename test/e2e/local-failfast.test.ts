import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bindProblem } from '../../cli/bindProblem.ts';

/**
 * Issue 13 item 5, "fail fast, cleanly": each bad setting or unusable resource makes `poglytics`
 * exit 2 in under 5 s with one line that names it, no stack trace, and nothing left running
 * (its process group is empty, no process mentions its folder, its ports are free again).
 */
const BIN = fileURLToPath(new URL('../../bin/poglytics.js', import.meta.url));
const NOBODY = 65534;

interface Fixtures {
  /** A port something listens on (for METRICS_PORT in use). */
  readonly busyPort: number;
  /** A port nothing listens on. */
  readonly closedPort: number;
  /** An HTTP server that answers every request with 200 "hi": not a database of any kind. */
  readonly httpPort: number;
  /** A TCP server that accepts and never says a word: a database that does not answer. */
  readonly silentPort: number;
  /** METRICS_PORT = base leaves local's own port free and the first ingester's (base + 1) taken. */
  readonly ingesterBlockedBase: number;
}

interface Case {
  readonly name: string;
  readonly env?: (f: Fixtures, dir: string) => Record<string, string>;
  readonly args?: readonly string[];
  /** What the one line must name, after `poglytics <verb>: `. */
  readonly names: RegExp;
  readonly prepare?: (dir: string) => void;
  readonly uid?: number;
  /** The message comes from an ingester child after the pipeline started: other lines (the simulator banner) come before it. */
  readonly fromChild?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'SINK=oracle', env: () => ({ SINK: 'oracle' }), names: /^SINK: must be one of/ },
  { name: 'DATABASE_URL=garbage', env: () => ({ DATABASE_URL: 'garbage' }), names: /^DATABASE_URL: must be a URL/ },
  {
    name: 'DATABASE_URL to a closed port',
    env: (f) => ({ DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${f.closedPort}/db` }),
    names: /^DATABASE_URL: cannot reach postgres .*connection refused/,
  },
  {
    name: 'DATABASE_URL to a server that never answers',
    env: (f) => ({ DATABASE_URL: `postgres://127.0.0.1:${f.silentPort}/db` }),
    names: /^DATABASE_URL: cannot reach postgres .*timeout/i,
  },
  {
    name: 'DATABASE_URL to an HTTP server (not Postgres)',
    env: (f) => ({ DATABASE_URL: `postgres://127.0.0.1:${f.httpPort}/db` }),
    names: /^DATABASE_URL: .*Postgres server/,
  },
  { name: 'CLICKHOUSE_URL=not-a-url', env: () => ({ CLICKHOUSE_URL: 'not-a-url' }), names: /^CLICKHOUSE_URL: must be a URL/ },
  {
    name: 'CLICKHOUSE_URL to an HTTP server that is not ClickHouse',
    env: (f) => ({ CLICKHOUSE_URL: `http://127.0.0.1:${f.httpPort}` }),
    names: /^CLICKHOUSE_URL: answered, but not as clickhouse does/,
  },
  { name: 'KINESIS_SHARDS=0', env: () => ({ KINESIS_SHARDS: '0' }), names: /^KINESIS_SHARDS: must be at least 1/ },
  {
    name: 'LOCAL_REFRESH_INTERVAL_MS=5',
    env: () => ({ LOCAL_REFRESH_INTERVAL_MS: '5' }),
    names: /^LOCAL_REFRESH_INTERVAL_MS: must be at least 1000/,
  },
  {
    name: 'TWITCH_IRC_URL=http://x with CHANNELS',
    env: () => ({ TWITCH_IRC_URL: 'http://x', CHANNELS: 'somechannel' }),
    names: /^TWITCH_IRC_URL: must be a ws:\/\/ or wss:\/\/ URL/,
  },
  { name: 'TWITCH_IRC_URL=garbage', env: () => ({ TWITCH_IRC_URL: 'garbage' }), names: /^TWITCH_IRC_URL: must be a URL/ },
  {
    name: 'METRICS_PORT in use',
    env: (f) => ({ METRICS_PORT: String(f.busyPort) }),
    names: /^METRICS_PORT: 127\.0\.0\.1:\d+ is already in use/,
  },
  { name: 'METRICS_PORT=70000', env: () => ({ METRICS_PORT: '70000' }), names: /^METRICS_PORT: must be at most 65535/ },
  { name: 'API_PORT in use', env: (f) => ({ API_PORT: String(f.busyPort) }), names: /^API_PORT: 127\.0\.0\.1:\d+ is already in use/ },
  { name: 'API_PORT=-1', env: () => ({ API_PORT: '-1' }), names: /^API_PORT: must be at least 0/ },
  {
    name: 'SQLITE_PATH is a directory',
    env: (_f, dir) => ({ SQLITE_PATH: join(dir, 'a-folder') }),
    prepare: (dir) => mkdirSync(join(dir, 'a-folder')),
    names: /^SQLITE_PATH: .*a-folder is a directory/,
  },
  {
    name: 'SQLITE_PATH is not a database file',
    env: (_f, dir) => ({ SQLITE_PATH: join(dir, 'notes.txt') }),
    prepare: (dir) => writeFileSync(join(dir, 'notes.txt'), 'these are notes, not a database\n'.repeat(20)),
    names: /^SQLITE_PATH: .*notes\.txt is not an SQLite database/,
  },
  {
    name: 'SQLITE_PATH is unreadable (as an unprivileged user)',
    env: (_f, dir) => ({ SQLITE_PATH: join(dir, 'locked.db') }),
    prepare: (dir) => {
      writeFileSync(join(dir, 'locked.db'), '');
      chmodSync(join(dir, 'locked.db'), 0o000);
    },
    uid: NOBODY,
    names: /^SQLITE_PATH: .*locked\.db: permission denied/,
  },
  {
    name: 'SQLITE_PATH under a file',
    env: (_f, dir) => ({ SQLITE_PATH: join(dir, 'notes.txt', 'x.db') }),
    prepare: (dir) => writeFileSync(join(dir, 'notes.txt'), 'x'),
    names: /^SQLITE_PATH: .*notes\.txt is a file/,
  },
  {
    name: 'DATA_DIR is a file',
    env: (_f, dir) => ({ DATA_DIR: join(dir, 'data-file') }),
    prepare: (dir) => writeFileSync(join(dir, 'data-file'), 'x'),
    names: /^DATA_DIR: .*data-file is a file, not a folder/,
  },
  { name: 'MAX_CHANNELS=-1', env: () => ({ MAX_CHANNELS: '-1' }), names: /^MAX_CHANNELS: must be at least 1/ },
  {
    name: 'CHANNELS_PER_CONNECTION=0',
    env: () => ({ CHANNELS_PER_CONNECTION: '0' }),
    names: /^CHANNELS_PER_CONNECTION: must be at least 1/,
  },
  { name: 'CAPTURE_REPLICAS=0', env: () => ({ CAPTURE_REPLICAS: '0' }), names: /^CAPTURE_REPLICAS: must be at least 1/ },
  {
    name: 'KINESIS_COMPRESSION=zip',
    env: () => ({ KINESIS_COMPRESSION: 'zip' }),
    names: /^KINESIS_COMPRESSION: must be one of brotli, gzip/,
  },
  { name: 'an unknown flag', args: ['--frobnicate'], names: /^--frobnicate: unknown option/ },
  {
    name: 'JOIN_RATE_COUNT=abc (an ingester-only setting)',
    env: () => ({ JOIN_RATE_COUNT: 'abc' }),
    names: /^JOIN_RATE_COUNT: must be an integer, got "abc"/,
  },
  { name: 'CHANNELS with a bad name', env: () => ({ CHANNELS: 'good,bad-name!' }), names: /^CHANNELS: has an invalid channel name/ },
  { name: 'query: SINK=oracle', args: ['query', 'totals'], env: () => ({ SINK: 'oracle' }), names: /^SINK: must be one of/ },
  { name: 'sim: --port in use', args: ['sim', '--port'], env: () => ({}), names: /^--port: 127\.0\.0\.1:\d+ is already in use/ },
  // Started for real (simulator, emulators, refresher) until the ingester child cannot bind its metrics port and exits 2.
  {
    name: "METRICS_PORT + 1 (the first ingester's) in use",
    env: (f) => ({ METRICS_PORT: String(f.busyPort - 1) }),
    names: /^METRICS_PORT: the first ingester's port \(METRICS_PORT \+ 1\): .*already in use/,
  },
  {
    name: "an ingester that cannot start stops local with the child's message",
    env: (f) => ({ METRICS_PORT: String(f.ingesterBlockedBase) }),
    names: /^ingester: METRICS_PORT: port \d+ is already in use/,
    fromChild: true,
  },
];

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A free port whose next one is free too: `local` also binds METRICS_PORT + 1 (the first
 * ingester's), and an ephemeral port's neighbour may belong to a connection of a test running
 * beside this one, which would add a second, unrelated line to the expected one.
 */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65_535 && (await bindProblem(port + 1, '127.0.0.1')) === null) return port;
  }
}

/** Whether any process other than this test mentions `dir` in its command line or environment. */
function processesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    for (const file of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${pid}/${file}`).includes(dir)) found.push(`${pid} (${file})`);
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
  }
  return found;
}

/** Live (not zombie) processes of process group `pgid`, read from /proc: a zombie is already dead, only not yet reaped. */
function processGroupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp …: comm may hold spaces, so split after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

interface Outcome {
  readonly code: number | null;
  readonly elapsedMs: number;
  readonly stderr: string;
  readonly leftRunning: boolean;
  readonly mentioning: string[];
  readonly metricsPortBound: string | null;
}

async function runCase(c: Case, f: Fixtures): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'poglytics-failfast-'));
  chmodSync(dir, 0o777);
  try {
    c.prepare?.(dir);
    const metricsPort = String(await freePortPair());
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DATA_DIR: join(dir, 'data'),
      METRICS_PORT: metricsPort,
      LOG_LEVEL: 'warn',
    };
    for (const key of [
      'TWITCH_CLIENT_ID',
      'TWITCH_CLIENT_SECRET',
      'CLIENT_ID',
      'CLIENT_SECRET',
      'CHANNELS',
      'AWS_ENDPOINT_URL',
      'DATABASE_URL',
      'CLICKHOUSE_URL',
      'SINK',
      'SQLITE_PATH',
      'TWITCH_IRC_URL',
    ])
      delete env[key];
    env.API_PORT = '0';
    Object.assign(env, c.env?.(f, dir));
    const args = c.args === undefined ? ['local', '--quiet'] : c.args[0] === 'sim' ? ['sim', '--port', String(f.busyPort)] : [...c.args];
    if (args[0] !== 'local' && args[0] !== 'sim' && args[0] !== 'query') args.unshift('local', '--quiet');
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(c.uid !== undefined ? { uid: c.uid, gid: c.uid } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    const [code] = (await once(child, 'close')) as [number | null];
    const elapsedMs = Date.now() - started;
    clearTimeout(killer);
    // tsx's esbuild service is in the group too and notices its parent is gone a moment later.
    const deadline = Date.now() + 3000;
    while (processGroupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const leftRunning = processGroupAlive(child.pid!);
    const mentioning = processesMentioning(dir);
    if (leftRunning) process.kill(-child.pid!, 'SIGKILL');
    const metricsPortBound = env.METRICS_PORT === metricsPort ? await bindProblem(Number(metricsPort), '127.0.0.1') : null;
    return { code, elapsedMs, stderr, leftRunning, mentioning, metricsPortBound };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` over `items`, at most `limit` at a time (2 cores are shared). */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

describe('poglytics fails fast, cleanly', { timeout: 150_000 }, () => {
  const servers: Server[] = [];
  let fixtures: Fixtures;
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    const busy = createServer();
    // Reads and drops what it is sent (so the socket sees its peer hang up), and never answers.
    const silent = createServer((socket) => socket.resume());
    const http = createHttpServer((_req, res) => res.end('hi'));
    servers.push(busy, silent, http);
    // Busy itself, with a free neighbour: its case must see exactly one port in use.
    let busyPort = await listen(busy);
    while (busyPort >= 65_535 || (await bindProblem(busyPort + 1, '127.0.0.1')) !== null) {
      await new Promise((r) => busy.close(r));
      busyPort = await listen(busy);
    }
    const silentPort = await listen(silent);
    const httpPort = await listen(http);
    const closedPort = await freePort();
    // Three neighbouring ports: local's and ingester 0's free, ingester 1's (the warm standby's) taken.
    let ingesterBlockedBase = 0;
    for (let attempt = 0; attempt < 50 && ingesterBlockedBase === 0; attempt++) {
      const base = 20_000 + Math.floor(Math.random() * 40_000);
      if ((await bindProblem(base, '127.0.0.1')) !== null || (await bindProblem(base + 1, '127.0.0.1')) !== null) continue;
      const blocker = createServer();
      try {
        await listen(blocker, base + 2);
        servers.push(blocker);
        ingesterBlockedBase = base;
      } catch {
        // taken by someone else; try another pair
      }
    }
    fixtures = { busyPort, closedPort, httpPort, silentPort, ingesterBlockedBase };
    // The quick cases two at a time; the one that starts the whole pipeline alone, so its 5 s are its own.
    const quick = CASES.filter((c) => !c.fromChild);
    const results = await inBatches(quick, 2, (c) => runCase(c, fixtures));
    quick.forEach((c, i) => outcomes.set(c.name, results[i]!));
    for (const c of CASES.filter((c) => c.fromChild)) outcomes.set(c.name, await runCase(c, fixtures));
  });

  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('has at least 15 bad settings and unusable resources', () => {
    assert.ok(CASES.length >= 15);
  });

  for (const c of CASES) {
    it(`${c.name}: exit 2 within 5 s, one line naming it, no stack, nothing left running`, (t) => {
      const o = outcomes.get(c.name);
      assert.ok(o, 'the case ran');
      t.diagnostic(`exited ${o.code} after ${o.elapsedMs} ms`);
      const verb = c.args?.[0] === 'sim' || c.args?.[0] === 'query' ? c.args[0] : 'local';
      const lines = o.stderr.split('\n').filter((l) => l.trim() !== '');
      assert.equal(o.code, 2, o.stderr);
      // A setting or resource is refused by preflight within 5 s; the child case starts the whole
      // pipeline for real (simulator, emulators, a refresh, two ingester processes) before a child fails.
      const limitMs = c.fromChild ? 15_000 : 5000;
      assert.ok(o.elapsedMs < limitMs, `exited after ${o.elapsedMs} ms`);
      assert.doesNotMatch(o.stderr, /^\s+at /m, 'no stack frames');
      if (c.fromChild) {
        // The simulator banner and the start line come first; the child's message is the last word, said once.
        assert.doesNotMatch(o.stderr, /replacing it/);
        assert.equal(lines.filter((l) => l.startsWith(`poglytics ${verb}: ingester:`)).length, 1, o.stderr);
      } else assert.equal(lines.length, 1, o.stderr);
      const last = lines.at(-1) ?? '';
      assert.ok(last.startsWith(`poglytics ${verb}: `), last);
      assert.match(last.slice(`poglytics ${verb}: `.length), c.names);
      assert.doesNotMatch(o.stderr, /s3cret/);
      assert.equal(o.leftRunning, false, 'its process group is empty');
      assert.deepEqual(o.mentioning, [], 'no process mentions its folder');
      assert.equal(o.metricsPortBound, null, 'its metrics port is free again');
    });
  }
});
