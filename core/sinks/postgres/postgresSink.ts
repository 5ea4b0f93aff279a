import { assertSchemaVersion } from '../schemaVersion.ts';
import pg from 'pg';
import type { ChatEvent } from '../../events/chatEvent.ts';
import type { StreamEvent } from '../../events/streamEvent.ts';
import type { StreamSnapshot } from '../../events/streamSnapshot.ts';
import { splitEvents } from '../splitEvents.ts';
import { postgresConnection } from './postgresConnection.ts';
import { describeUrl, toSinkError } from '../toSinkError.ts';
import type { OptOutSelector, PostgresSinkConfig, RetentionCutoff, Sink, WriteResult } from '../types.ts';
import { epochMsSql } from './epochMsSql.ts';
import { PostgresChatWriter } from './postgresChatWriter.ts';
import { storedUntimedCopies } from './storedUntimedCopies.ts';
import { monthPartitionDdl, ROWS } from './postgresLayout.ts';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './postgresMigrations.ts';

/** Snapshot rows per INSERT statement: bounded client memory, few round trips. */
const ROWS_PER_STATEMENT = 5000;
const MIGRATION_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1))';

const INSERT_SNAPSHOTS = `
INSERT INTO stream_snapshots (event_id, channel, channel_id, stream_id, game_id, game_name, title, viewer_count,
  language, started_at, is_mature, tags, captured_at)
SELECT event_id, channel, channel_id, stream_id, game_id, game_name, title, viewer_count, language,
  ${epochMsSql('started_at')}, is_mature, tags, ${epochMsSql('captured_at')}
FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, channel text, channel_id text, stream_id text, game_id text,
  game_name text, title text, viewer_count integer, language text, started_at bigint, is_mature boolean,
  tags text[], captured_at bigint)
ON CONFLICT (event_id) DO NOTHING`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function monthsOf(events: readonly ChatEvent[]): Array<[number, number]> {
  const keys = new Set<number>();
  for (const e of events) {
    const d = new Date(e.sent_at);
    keys.add(d.getUTCFullYear() * 100 + d.getUTCMonth() + 1);
  }
  return [...keys].map((k) => [Math.floor(k / 100), k % 100]);
}

export class PostgresSink implements Sink {
  readonly name = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly target: string;
  private migrated: Promise<void> | undefined;
  private readonly partitions = new Set<string>();
  private readonly readOnly: boolean;
  private readonly chat = new PostgresChatWriter();

  constructor(
    config: PostgresSinkConfig,
    private readonly migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
  ) {
    this.readOnly = config.readOnly ?? false;
    this.target = `postgres ${describeUrl(config.connectionString)}`;
    const { connectionString, ssl } = postgresConnection(config.connectionString, config.caFile);
    this.pool = new pg.Pool({
      connectionString,
      ssl,
      max: config.maxConnections ?? 4,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client whose server went away emits here; the pool discards it and the next
    // checkout reconnects. Without a listener the process would crash.
    this.pool.on('error', () => {});
  }

  private async withClient<T>(action: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toSinkError(this.target, error, 'connect');
    }
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      broken = true;
      throw toSinkError(this.target, error, action);
    } finally {
      client.release(broken);
    }
  }

  private async transaction<T>(action: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(action, async (client) => {
      await client.query('BEGIN');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  migrate(): Promise<void> {
    // Concurrent callers share one run; a failed run is forgotten so the next call retries.
    this.migrated ??= (this.readOnly ? this.checkSchema() : this.runMigrations()).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  /** A read-only user's migrate: the schema must already be this release's (SELECT only). */
  private async checkSchema(): Promise<void> {
    const rows = await this.withClient(
      'check schema',
      async (client) => (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows,
    );
    assertSchemaVersion(this.target, Number(rows[0]?.v ?? 0), this.migrations);
  }

  private async runMigrations(): Promise<void> {
    await this.transaction('migrate', async (client) => {
      // Serializes migrators across processes (every Lambda runs migrate on first write).
      await client.query(MIGRATION_LOCK, ['poglytics.schema_migrations']);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of this.migrations) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await client.query(statement);
        await migration.apply?.(client);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
    });
  }

  /** Creates the monthly partitions of chat_event_rows a batch needs (once per process per month). */
  private async ensurePartitions(events: readonly ChatEvent[]): Promise<void> {
    const missing = monthsOf(events)
      .map(([y, m]) => monthPartitionDdl(y, m))
      .filter((p) => !this.partitions.has(p.name));
    if (missing.length === 0) return;
    await this.transaction('create partitions', async (client) => {
      await client.query(MIGRATION_LOCK, ['poglytics.chat_events.partitions']);
      for (const partition of missing) await client.query(partition.sql);
    });
    for (const partition of missing) this.partitions.add(partition.name);
  }

  async write(events: StreamEvent[]): Promise<WriteResult> {
    await this.migrate();
    const { chat, snapshots, untimed } = splitEvents(events);
    await this.ensurePartitions(chat);
    const rows = this.chat.rows(chat);
    // Outside the write's transaction: a template once added stays (see PostgresChatWriter).
    if (rows.length > 0) await this.withClient('add line templates', (client) => this.chat.addTemplates(client, rows));
    const inserted = await this.transaction('write', async (client) => {
      const copies = await storedUntimedCopies(client, untimed);
      let count = await this.chat.insert(client, copies.size === 0 ? rows : rows.filter((_, i) => !copies.has(chat[i]!)));
      for (const chunk of chunks<StreamSnapshot>(snapshots, ROWS_PER_STATEMENT)) {
        count += (await client.query(INSERT_SNAPSHOTS, [JSON.stringify(chunk)])).rowCount ?? 0;
      }
      return count;
    });
    return { inserted, duplicates: events.length - inserted };
  }

  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    await this.migrate();
    return this.withClient('query', async (client) => (await client.query(sql, params)).rows as Record<string, unknown>[]);
  }

  /**
   * Opt-out deletion (issue 18): the events by, about or in the named users and channels (rows of
   * chat_event_rows; chat_events is a view on it), and the channels' snapshots, in one
   * transaction. VACUUM (autovacuum) then frees the space.
   */
  async deleteOptedOut(who: OptOutSelector): Promise<number> {
    await this.migrate();
    return this.transaction('delete opted out', async (client) => {
      const events = await client.query(
        `DELETE FROM ${ROWS} WHERE user_id = ANY($1) OR target_user_id = ANY($1) OR user_login = ANY($2)
           OR target_user_login = ANY($2) OR channel_id = ANY($3) OR source_channel_id = ANY($3) OR channel = ANY($4)`,
        [who.userIds, who.userLogins, who.channelIds, who.channelLogins],
      );
      const snapshots = await client.query('DELETE FROM stream_snapshots WHERE channel_id = ANY($1) OR channel = ANY($2)', [
        who.channelIds,
        who.channelLogins,
      ]);
      return (events.rowCount ?? 0) + (snapshots.rowCount ?? 0);
    });
  }

  /**
   * Retention: a month partition wholly before the cutoff is dropped (a metadata operation, no
   * vacuum); the rows before the cutoff in the month that straddles it are deleted, so exactly
   * the events older than the limit go.
   */
  async applyRetention(cutoff: RetentionCutoff): Promise<number> {
    await this.migrate();
    return this.transaction('retention', async (client) => {
      let removed = 0;
      if (cutoff.eventsBefore !== null) {
        const before = new Date(cutoff.eventsBefore).toISOString();
        const partitions = await client.query<{ name: string }>(
          `SELECT c.relname AS name
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = '${ROWS}' AND c.relname ~ '^${ROWS}_[0-9]{4}_[0-9]{2}$'`,
        );
        for (const { name } of partitions.rows) {
          const [year, month] = name.slice(`${ROWS}_`.length).split('_').map(Number);
          const end = Date.UTC(year!, month, 1); // the first instant of the next month
          if (end > cutoff.eventsBefore) continue;
          const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
          removed += Number(rows[0]?.n ?? 0);
          await client.query(`DROP TABLE ${name}`);
          this.partitions.delete(name);
        }
        removed += (await client.query(`DELETE FROM ${ROWS} WHERE sent_at < $1`, [before])).rowCount ?? 0;
      }
      if (cutoff.snapshotsBefore !== null)
        removed +=
          (await client.query('DELETE FROM stream_snapshots WHERE captured_at < $1', [new Date(cutoff.snapshotsBefore).toISOString()]))
            .rowCount ?? 0;
      return removed;
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
