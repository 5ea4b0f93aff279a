import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { registerSqliteFunctions } from './sqliteFunctions.ts';

export interface OpenSqliteOptions {
  /** A reader's connection: never writes, never creates the file (a missing file is an error). */
  readonly readonly?: boolean;
}

/**
 * The one place a Poglytics SQLite connection is made, by the sink and by the read service alike,
 * so that whatever a connection needs before `chat_events` can be read (pragmas, and the SQL
 * functions its view calls to rebuild raw, tags and params: sqliteFunctions.ts) is set up once
 * for every caller.
 */
export function openSqliteDatabase(path: string, options: OpenSqliteOptions = {}): Database.Database {
  if (options.readonly) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return registerSqliteFunctions(db);
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return registerSqliteFunctions(db);
}
