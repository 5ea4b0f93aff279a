import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A role that must log in with a password on scratch clusters (the test creates it). */
export const PASSWORD_USER = 'poglytics_pw';

export interface ScratchPostgres {
  /**
   * postgres://postgres@127.0.0.1:PORT/postgres?sslmode=verify-full&sslrootcert=CA (trust auth
   * over TLS only, or TEST_DATABASE_URL): every test connects the way production does.
   */
  readonly url: string;
  /** The test CA that signed the server's certificate (undefined with TEST_DATABASE_URL). */
  readonly caFile: string | undefined;
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
    return {
      url: external,
      caFile: undefined,
      port: Number(new URL(external).port || 5432),
      stop: unsupported,
      start: unsupported,
      close: async () => {},
    };
  }
  const root = mkdtempSync(join(tmpdir(), 'poglytics-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres(
    `mkdir -p ${socketDir} && ${PG_BIN}/initdb -D ${dataDir} -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N >/dev/null`,
  );
  const tls = await makeTestCertificates(join(root, 'tls'));
  await asPostgres(`cp ${tls.serverCert} ${tls.serverKey} ${dataDir}/ && chmod 600 ${dataDir}/server.key`);
  const port = await freePort();
  const conf = [
    'ssl = on',
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    // Tests trade durability for speed; benchmarks ask for a server that commits like production.
    ...(options.durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
    'shared_buffers = 128MB',
    'max_connections = 50',
  ].join('\n');
  await asPostgres(`cat >> ${dataDir}/postgresql.conf <<'CONF'\n${conf}\nCONF`);
  // Everyone is trusted except PASSWORD_USER, so tests can see a refused password; TCP only with TLS.
  await asPostgres(`sed -i -e 's/^host /hostssl /' -e '1i hostssl all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256' ${dataDir}/pg_hba.conf`);
  const start = async () => {
    await asPostgres(`${PG_BIN}/pg_ctl -D ${dataDir} -l ${root}/log -w -t 30 start >/dev/null`);
  };
  const stop = async () => {
    await asPostgres(`${PG_BIN}/pg_ctl -D ${dataDir} -m fast -w stop >/dev/null`);
  };
  await start();
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.caCert)}`,
    caFile: tls.caCert,
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

/**
 * A CA made for this cluster and a server certificate it signed for 127.0.0.1 and localhost, so
 * TLS with verification (verify-full) is what the tests exercise. `otherCa` signed nothing here:
 * a client trusting only it must be refused.
 */
export async function makeTestCertificates(
  dir: string,
): Promise<{ caCert: string; otherCa: string; serverCert: string; serverKey: string }> {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ca = async (name: string) => {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=Poglytics ${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  await ca('test-ca');
  await ca('other-ca');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'test-ca.crt',
    '-CAkey',
    'test-ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
  for (const name of ['test-ca.crt', 'other-ca.crt', 'server.crt', 'server.key']) chmodSync(join(dir, name), 0o644);
  return {
    caCert: join(dir, 'test-ca.crt'),
    otherCa: join(dir, 'other-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}
