import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A role that must log in with a password on scratch clusters (the test creates it). */
export const PASSWORD_USER = 'poglytics_pw';

export interface ScratchPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth, or TEST_DATABASE_URL). */
  readonly url: string;
  readonly port: number;
  /** Stops the server without removing its data (to simulate an outage). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command as the postgres user (initdb and postgres refuse to run as root). */
async function asPostgres(command: string): Promise<string> {
  const isRoot = process.getuid?.() === 0;
  const { stdout } = isRoot ? await run('runuser', ['-u', 'postgres', '--', 'sh', '-c', command]) : await run('sh', ['-c', command]);
  return stdout;
}

/**
 * A throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, fsync off (unless durable), trust auth. With
 * TEST_DATABASE_URL set, uses that server instead (stop/start then throw: they cannot be faked).
 */
export async function startScratchPostgres(options: { durable?: boolean } = {}): Promise<ScratchPostgres> {
  const external = process.env.TEST_DATABASE_URL?.trim();
  if (external) {
    const unsupported = async () => {
      throw new Error('stop/start need a scratch cluster; unset TEST_DATABASE_URL');
    };
    return { url: external, port: Number(new URL(external).port || 5432), stop: unsupported, start: unsupported, close: async () => {} };
  }
  const root = mkdtempSync(join(tmpdir(), 'poglytics-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres(`mkdir -p ${socketDir} && ${PG_BIN}/initdb -D ${dataDir} -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N >/dev/null`);
  const port = await freePort();
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    // Tests trade durability for speed; benchmarks ask for a server that commits like production.
    ...(options.durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
    'shared_buffers = 128MB',
    'max_connections = 50',
  ].join('\n');
  await asPostgres(`cat >> ${dataDir}/postgresql.conf <<'CONF'\n${conf}\nCONF`);
  // Everyone is trusted except PASSWORD_USER, so tests can see a refused password.
  await asPostgres(`sed -i '1i host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256' ${dataDir}/pg_hba.conf`);
  const start = async () => {
    await asPostgres(`${PG_BIN}/pg_ctl -D ${dataDir} -l ${root}/log -w -t 30 start >/dev/null`);
  };
  const stop = async () => {
    await asPostgres(`${PG_BIN}/pg_ctl -D ${dataDir} -m fast -w stop >/dev/null`);
  };
  await start();
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    close: async () => {
      if (closed) return;
      closed = true;
      await stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}
