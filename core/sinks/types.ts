import type { StreamEvent } from '../events/streamEvent.ts';

export const SinkName = { SQLite: 'sqlite', Postgres: 'postgres', ClickHouse: 'clickhouse' } as const;
export type SinkName = (typeof SinkName)[keyof typeof SinkName];
export const SINK_NAMES = Object.values(SinkName) as [SinkName, ...SinkName[]];

export interface WriteResult {
  /** Events newly stored by this call. */
  readonly inserted: number;
  /** Events skipped because their event_id was already stored (or repeated within the batch). */
  readonly duplicates: number;
}

/** The one storage interface (TEAM.md). Every implementation deduplicates on event_id. */
export interface Sink {
  readonly name: SinkName;
  /** Applies pending schema migrations; idempotent. write() calls it on first use. */
  migrate(): Promise<void>;
  write(events: StreamEvent[]): Promise<WriteResult>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Deletes every stored event by, about or in the named users and channels, and their stream
   * snapshots (issue 18: opted out means gone); returns how many rows went. Idempotent.
   */
  deleteOptedOut?(who: OptOutSelector): Promise<number>;
  /**
   * RETENTION_DAYS (issue 18): deletes exactly the chat events sent before `eventsBefore` and the
   * snapshots captured before `snapshotsBefore` (ms; null keeps them); returns how many rows went.
   */
  applyRetention?(cutoff: RetentionCutoff): Promise<number>;
  close(): Promise<void>;
}

export interface RetentionCutoff {
  readonly eventsBefore: number | null;
  readonly snapshotsBefore: number | null;
}

/** Whose events to delete: Twitch ids and logins (an admin may name only a login). */
export interface OptOutSelector {
  readonly userIds: readonly string[];
  readonly userLogins: readonly string[];
  readonly channelIds: readonly string[];
  readonly channelLogins: readonly string[];
}

export interface SqliteSinkConfig {
  readonly sink: 'sqlite';
  readonly path: string;
}

export interface PostgresSinkConfig {
  readonly sink: 'postgres';
  readonly connectionString: string;
  /** DATABASE_CA_FILE (alias PGSSLROOTCERT): the PEM bundle the server's certificate must chain to (RDS: its global bundle). */
  readonly caFile?: string;
  /** Pool size; a Lambda needs 1-2, the local runner a few. */
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  /** A reader's connection (the read service): SELECT only, so migrate checks the schema version instead of changing it. */
  readonly readOnly?: boolean;
}

export interface ClickHouseSinkConfig {
  readonly sink: 'clickhouse';
  /** http(s)://host:port; credentials in the URL or in username/password. */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly database?: string | undefined;
  /**
   * A ready `@clickhouse/client` Connection (tests pass chdb's `createChdbConnection({ path })`).
   * When set, `url` only names the target in messages.
   */
  readonly connection?: unknown;
  readonly requestTimeoutMs?: number;
  /** false silences @clickhouse/client's own stderr logs (a startup probe reports the failure in one line itself). */
  readonly driverLogs?: boolean;
  /**
   * A reader's connection (the read service, a `readonly=1` user): migrate checks the schema
   * version instead of changing it, and no request carries a setting (response compression is
   * one), since such a user may not change any.
   */
  readonly readOnly?: boolean;
}

export type SinkConfig = SqliteSinkConfig | PostgresSinkConfig | ClickHouseSinkConfig;

/** One versioned schema step. Statements run in order; each must be safe to re-run. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}
