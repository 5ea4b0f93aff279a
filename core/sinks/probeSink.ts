import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PoglyticsError } from '../errors.ts';
import { createSink } from './createSink.ts';
import { redact } from './toSinkError.ts';
import type { SinkConfig } from './types.ts';

/**
 * Whether the sink can be used, asked before anything else starts: it opens a connection with a
 * short timeout and applies the migrations (idempotent), which proves in one step that the
 * database is reachable, is the right kind of database and accepts writes. Returns what is wrong
 * in words, or null. The probe's own connection is closed either way; the caller opens the real
 * one with the usual timeouts.
 */
export async function probeSink(config: SinkConfig, options: { timeoutMs: number }): Promise<string | null> {
  if (config.sink === 'sqlite') {
    const problem = sqliteFileProblem(config.path);
    if (problem !== null) return problem;
  }
  const sink = createSink(
    config.sink === 'postgres'
      ? { ...config, connectTimeoutMs: options.timeoutMs, maxConnections: 1 }
      : config.sink === 'clickhouse'
        ? { ...config, requestTimeoutMs: options.timeoutMs, driverLogs: false }
        : config,
  );
  try {
    await sink.migrate();
    // Any HTTP server accepts ClickHouse's statements with a 200; only a database answers a query.
    const rows = await sink.query('SELECT 1 AS one');
    return Number(rows[0]?.['one']) === 1
      ? null
      : `answered, but not as ${config.sink} does (SELECT 1 gave ${JSON.stringify(rows).slice(0, 80)})`;
  } catch (error) {
    return describeProbeFailure(config, error);
  } finally {
    await sink.close().catch(() => undefined);
  }
}

/** What the file system says before SQLite does (SQLite's own words for these are "unable to open database file"). */
function sqliteFileProblem(path: string): string | null {
  if (path === ':memory:') return null;
  const absolute = resolve(path);
  // Walk up to the nearest thing that exists: the file itself, or the folder the sink would create it in.
  let existing = absolute;
  let stat = statOrNull(existing);
  while (stat === null && dirname(existing) !== existing) {
    existing = dirname(existing);
    stat = statOrNull(existing);
  }
  if (existing === absolute && stat?.isDirectory()) return `${absolute} is a directory, not a database file`;
  if (existing === absolute && stat && !stat.isFile()) return `${absolute} is not a regular file`;
  if (existing !== absolute && stat && !stat.isDirectory()) return `${existing} is a file, so ${absolute} cannot be created`;
  try {
    accessSync(existing, existing === absolute ? constants.R_OK | constants.W_OK : constants.W_OK);
  } catch {
    return `${existing}: permission denied (the file and its folder must be readable and writable)`;
  }
  return null;
}

/** stat, with "does not exist" (also "a parent is a file") as null. */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function describeProbeFailure(config: SinkConfig, error: unknown): string {
  const message = redact(error instanceof Error ? error.message : String(error));
  const cause = error instanceof PoglyticsError && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (config.sink === 'sqlite' && (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'))
    return `${resolve(config.path)} is not an SQLite database`;
  if (config.sink === 'sqlite' && (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN'))
    return `${resolve(config.path)} cannot be opened for writing (${message})`;
  if (config.sink === 'postgres' && /terminated unexpectedly/i.test(message))
    return `${message} (the server hung up on the Postgres handshake: is it a Postgres server?)`;
  // Some servers answer a query with an empty error body; say at least that it was not the database expected.
  return message.trim().endsWith('failed:')
    ? `${message.trim()} (an HTTP error without a ClickHouse message: is this a ClickHouse server?)`
    : message;
}
