import type Database from 'better-sqlite3';
import type { StreamEvent } from '../../events/streamEvent.ts';
import type { StreamSnapshot } from '../../events/streamSnapshot.ts';
import { SNAPSHOT_COLUMNS } from '../columns.ts';
import { splitEvents } from '../splitEvents.ts';
import { contentCopiesIn, contentLookup } from '../untimedCopies.ts';
import { SinkWriteError } from '../../errors.ts';
import { toSinkError } from '../toSinkError.ts';
import type { OptOutSelector, RetentionCutoff, Sink, SqliteSinkConfig, WriteResult } from '../types.ts';
import { ChatRowWriter } from './chatRowWriter.ts';
import { deleteOptedOut } from './deleteOptedOut.ts';
import { openSqliteDatabase } from './openSqliteDatabase.ts';
import { SQLITE_MIGRATIONS, type SqliteMigration } from './sqliteMigrations.ts';

type Row = Record<string, string | number | null>;

function snapshotRow(s: StreamSnapshot): Row {
  const { v: _v, kind: _kind, ...rest } = s;
  return { ...rest, is_mature: s.is_mature ? 1 : 0, tags: JSON.stringify(s.tags) };
}

/**
 * SQLite result codes that are about the data, not the file: retrying cannot help, so the
 * consumer reports the records instead of pausing. Everything else (SQLITE_FULL, SQLITE_IOERR,
 * SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_BUSY, …) is the disk's or the file's state: retriable.
 */
const DATA_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

function writeError(target: string, error: unknown) {
  const rawCode = (error as { code?: unknown } | null)?.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  const wrapped = toSinkError(target, error, 'write');
  return DATA_ERROR.test(code) ? new SinkWriteError(wrapped.message, { cause: error, retriable: false }) : wrapped;
}

const insertSql = (table: string, columns: readonly string[]) =>
  `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`;

/** The embedded default: one file, WAL, one transaction per batch, prepared INSERT OR IGNORE; chat events in the compact layout (sqliteLayout.ts). */
export class SqliteSink implements Sink {
  readonly name = 'sqlite' as const;
  private db: Database.Database | undefined;
  private chatRows: ChatRowWriter | undefined;
  private migrated = false;
  private readonly target: string;

  constructor(
    private readonly config: SqliteSinkConfig,
    private readonly migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
  ) {
    this.target = `sqlite ${config.path}`;
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    try {
      this.db = openSqliteDatabase(this.config.path);
      return this.db;
    } catch (error) {
      throw toSinkError(this.target, error, 'open');
    }
  }

  async migrate(): Promise<void> {
    const db = this.open();
    try {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      // IMMEDIATE takes the write lock up front, so two processes migrating at once serialize.
      db.transaction(() => {
        const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
        const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
        for (const migration of this.migrations) {
          if (applied.has(migration.version)) continue;
          for (const statement of migration.statements) db.exec(statement);
          migration.apply?.(db);
          record.run(migration.version, migration.name, Date.now());
        }
      }).immediate();
      this.migrated = true;
    } catch (error) {
      throw toSinkError(this.target, error, 'migrate');
    }
  }

  async write(events: StreamEvent[]): Promise<WriteResult> {
    if (!this.migrated) await this.migrate();
    const db = this.open();
    const { chat, snapshots, untimed } = splitEvents(events);
    try {
      const chatRows = (this.chatRows ??= new ChatRowWriter(db));
      const insertSnapshot = db.prepare(insertSql('stream_snapshots', SNAPSHOT_COLUMNS));
      const inserted = db.transaction(() => {
        let count = 0;
        // event_id is unique in the whole table: only an untimed event's other ids need a look (untimedCopies.ts).
        const copies = new Set(untimed.filter((u) => u.ids.length > 1 && chatRows.anyStored(u.ids.slice(1))).map((u) => u.event));
        const lookup = contentLookup(untimed);
        if (lookup !== null) for (const event of contentCopiesIn(untimed, chatRows.storedUntimedRows(lookup))) copies.add(event);
        for (const event of chat) if (!copies.has(event)) count += chatRows.write(event);
        for (const snapshot of snapshots) count += insertSnapshot.run(snapshotRow(snapshot)).changes;
        return count;
      })();
      return { inserted, duplicates: events.length - inserted };
    } catch (error) {
      this.chatRows?.rolledBack();
      throw writeError(this.target, error);
    }
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    if (!this.migrated) await this.migrate();
    const db = this.open();
    try {
      const statement = db.prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as Record<string, unknown>[];
    } catch (error) {
      throw toSinkError(this.target, error, 'query');
    }
  }

  async deleteOptedOut(who: OptOutSelector): Promise<number> {
    if (!this.migrated) await this.migrate();
    try {
      return deleteOptedOut(this.open(), who);
    } catch (error) {
      throw writeError(this.target, error);
    }
  }

  /** Retention by plain deletes on the time indexes; freed pages are reused by later writes. */
  async applyRetention(cutoff: RetentionCutoff): Promise<number> {
    if (!this.migrated) await this.migrate();
    const db = this.open();
    try {
      return db.transaction(() => {
        const events =
          cutoff.eventsBefore === null ? 0 : db.prepare('DELETE FROM chat_event_rows WHERE sent_at < ?').run(cutoff.eventsBefore).changes;
        const snapshots =
          cutoff.snapshotsBefore === null
            ? 0
            : db.prepare('DELETE FROM stream_snapshots WHERE captured_at < ?').run(cutoff.snapshotsBefore).changes;
        return events + snapshots;
      })();
    } catch (error) {
      throw writeError(this.target, error);
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.chatRows = undefined;
  }
}
