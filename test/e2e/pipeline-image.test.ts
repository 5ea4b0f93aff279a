/**
 * The pipeline image's command, run the way the container runs it but without Docker: the
 * Dockerfile's ENV, ENTRYPOINT and data folder; the built JavaScript (scripts/bundle.mjs) in a
 * root-owned working folder; a non-root user (uid 65534, like the image's `node`) that owns only
 * the data folder the image creates. What Docker would add (the network, the volume) is the only
 * difference: paths under DATA_DIR point at a scratch folder, METRICS_PORT at a free port.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteDatabase } from '../../core/sinks/sqlite/openSqliteDatabase.ts';

const USER = 65534;
const RUN_SECONDS = 15;

/** The final stage's ENV (KEY=VALUE pairs, continuation lines joined), ENTRYPOINT and data folder. */
function readImage(dockerfile: string) {
  const text = readFileSync(dockerfile, 'utf8').replace(/\\\n/g, ' ');
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const [, line] of finalStage.matchAll(/^ENV (.+)$/gm))
    for (const [, key, value] of line!.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(finalStage)![1]!) as string[];
  const created = /mkdir -p (\S+) && chown node:node \1/.exec(finalStage)?.[1];
  return { env, entrypoint, created };
}

/** A free port whose next one is free too (`local` also binds METRICS_PORT + 1, the first ingester's). */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    const next = createServer();
    const nextFree = await new Promise<boolean>((r) => {
      next.once('error', () => r(false));
      next.listen(port + 1, '0.0.0.0', () => next.close(() => r(true)));
    });
    if (nextFree && port < 65_535) return port;
  }
}

/** Local addresses in LISTEN state on `port`, as the kernel reports them (/proc/net/tcp, tcp6). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const [file, family] of [
    ['/proc/net/tcp', 4],
    ['/proc/net/tcp6', 6],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A' || !local.endsWith(`:${hexPort}`)) continue;
      const hex = local.split(':')[0]!;
      found.push(family === 4 ? (hex === '00000000' ? '0.0.0.0' : hex) : /^0+$/.test(hex) ? '::' : hex);
    }
  }
  return found;
}

describe('the pipeline image command, as a non-root user in a root-owned working folder', () => {
  const image = readImage('Dockerfile');
  const app = mkdtempSync(join(tmpdir(), 'poglytics-app-'));
  const volume = mkdtempSync(join(tmpdir(), 'poglytics-volume-'));
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let stderr = '';
  let port = 0;
  let env: Record<string, string> = {};

  before(async () => {
    // Prepare: /app as the image has it (root-owned, built JavaScript, node_modules) and the volume the image hands to `node`.
    execFileSync(process.execPath, ['scripts/bundle.mjs', join(app, 'dist')]);
    symlinkSync(resolve('node_modules'), join(app, 'node_modules'));
    chmodSync(app, 0o755);
    assert.ok(image.created && image.env.DATA_DIR === image.created, 'the image creates DATA_DIR and gives it to node');
    chmodSync(volume, 0o755);
    chownSync(volume, USER, USER);
    port = await freePort();
    env = Object.fromEntries(
      Object.entries(image.env).map(([k, v]) => [k, v.startsWith(image.created!) ? volume + v.slice(image.created!.length) : v]),
    );
    env = {
      ...env,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/nonexistent',
      METRICS_PORT: String(port),
      API_PORT: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    };
    const [node, ...args] = image.entrypoint;
    assert.equal(node, 'node');
    child = spawn(process.execPath, [...args, 'local', '--duration', String(RUN_SECONDS), '--quiet', '--sim-rate', '200'], {
      cwd: app,
      env,
      uid: USER,
      gid: USER,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(app, { recursive: true, force: true });
    rmSync(volume, { recursive: true, force: true });
  });

  it('serves its own series on every address with METRICS_HOST=0.0.0.0, and no twitch_scraper_* gauges', async () => {
    assert.equal(env.METRICS_HOST, '0.0.0.0', 'the image sets METRICS_HOST=0.0.0.0');
    // Act: wait for /healthz over loopback (the start includes the emulators and the first refresh).
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && child.exitCode === null) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(healthy, `/healthz answered 200 (stderr: ${stderr})`);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

    // Assess
    assert.deepEqual(
      listeningAddresses(port).filter((a) => a === '0.0.0.0' || a === '::'),
      listeningAddresses(port),
      'bound to every address only',
    );
    assert.ok(listeningAddresses(port).length > 0, `something listens on ${port}`);
    assert.match(body, /^# TYPE poglytics_sink_events_written_total counter$/m, "the consumer's series");
    assert.match(body, /^# TYPE poglytics_end_to_end_latency_seconds histogram$/m);
    assert.doesNotMatch(body, /^twitch_scraper_/m, 'the capture gauges belong to the ingesters');
  });

  it('starts, captures and stops cleanly, writing only to the data folder', { timeout: 120_000 }, async () => {
    const code = await exited;
    assert.equal(code, 0, `exit code (stderr: ${stderr})`);
    assert.doesNotMatch(stderr, /EACCES|EPERM|permission denied/i);
    assert.doesNotMatch(stderr, /Warning/, 'no third-party warning in the output');
    assert.deepEqual(readdirSync(app).sort(), ['dist', 'node_modules'], 'nothing written to the working folder');
    const db = openSqliteDatabase(env.SQLITE_PATH!, { readonly: true });
    try {
      const { stored } = db.prepare('SELECT count(*) AS stored FROM chat_events').get() as { stored: number };
      assert.ok(stored > 0, 'the bundled ingesters captured and the consumer stored events');
    } finally {
      db.close();
    }
    assert.equal(statSync(env.SQLITE_PATH!).uid, USER);
  });
});
