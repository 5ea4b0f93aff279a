import { accessSync, constants, statSync } from 'node:fs';
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
        ? { ...config, requestTimeoutMs: options.timeoutMs }
        : config,
  );
  try {
    await sink.migrate();
    return null;
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
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return `${absolute} is a directory, not a database file`;
  if (stat && !stat.isFile()) return `${absolute} is not a regular file`;
  try {
    if (stat) accessSync(absolute, constants.R_OK | constants.W_OK);
    else {
      // The sink creates missing folders; the nearest existing ancestor must be a writable folder.
      let folder = dirname(absolute);
      let folderStat = statSync(folder, { throwIfNoEntry: false });
      while (!folderStat && dirname(folder) !== folder) {
        folder = dirname(folder);
        folderStat = statSync(folder, { throwIfNoEntry: false });
      }
      if (folderStat && !folderStat.isDirectory()) return `${folder} is a file, so ${absolute} cannot be created`;
      accessSync(folder, constants.W_OK);
    }
  } catch {
    return `${absolute}: permission denied (the file and its folder must be readable and writable)`;
  }
  return null;
}

function describeProbeFailure(config: SinkConfig, error: unknown): string {
  const message = redact(error instanceof Error ? error.message : String(error));
  const cause = error instanceof PoglyticsError && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (config.sink === 'sqlite' && (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')) return `${resolve(config.path)} is not an SQLite database`;
  if (config.sink === 'sqlite' && (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN')) return `${resolve(config.path)} cannot be opened for writing (${message})`;
  return message;
}
