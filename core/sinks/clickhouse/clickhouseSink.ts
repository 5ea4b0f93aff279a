import { assertSchemaVersion } from '../schemaVersion.ts';
import { SinkConnectError } from '../../errors.ts';
import { createHash } from 'node:crypto';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ChatEvent } from '../../events/chatEvent.ts';
import type { StreamEvent } from '../../events/streamEvent.ts';
import type { StreamSnapshot } from '../../events/streamSnapshot.ts';
import { splitEvents } from '../splitEvents.ts';
import { anyStored, contentCopiesIn, contentLookup, UNTIMED_COPY_MS, type UntimedEvent } from '../untimedCopies.ts';
import { describeUrl, toSinkError } from '../toSinkError.ts';
import type { ClickHouseSinkConfig, OptOutSelector, RetentionCutoff, Sink, WriteResult } from '../types.ts';
import { clickhouseChatRow, encodeEventId } from './clickhouseChatRow.ts';
import { EVENT_ID_SQL } from './clickhouseLayout.ts';
import { CLICKHOUSE_MIGRATIONS, type ClickHouseMigration } from './clickhouseMigrations.ts';
import { clickhouseTime } from './clickhouseTime.ts';
import type { ClickHouseMigrationContext } from './migrateToLineParts.ts';

/** Rows per INSERT: large JSONEachRow blocks, yet bounded client memory. */
const ROWS_PER_INSERT = 50_000;
/** event_ids per existence lookup (they travel as a query parameter). */
const IDS_PER_LOOKUP = 5_000;

function snapshotRow(s: StreamSnapshot): Record<string, unknown> {
  const { v: _v, kind: _kind, ...rest } = s;
  return { ...rest, started_at: clickhouseTime(s.started_at), captured_at: clickhouseTime(s.captured_at) };
}

/** Same ids → same token, so a retried insert of the same rows is dropped by the server. */
function dedupToken(ids: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(id).update('\n');
  return hash.digest('hex');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class ClickHouseSink implements Sink {
  readonly name = 'clickhouse' as const;
  private readonly client: ClickHouseClient;
  private readonly target: string;
  private migrated: Promise<void> | undefined;
  private readonly readOnly: boolean;

  constructor(
    config: ClickHouseSinkConfig,
    private readonly migrations: readonly ClickHouseMigration[] = CLICKHOUSE_MIGRATIONS,
  ) {
    this.readOnly = config.readOnly ?? false;
    this.target = `clickhouse ${describeUrl(config.url)}`;
    this.client = createClient({
      url: config.url,
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.database !== undefined ? { database: config.database } : {}),
      ...(config.connection ? { connection: config.connection as never } : {}),
      request_timeout: config.requestTimeoutMs ?? 60_000,
      compression: { request: !config.connection && !this.readOnly, response: !config.connection && !this.readOnly },
      ...(config.driverLogs === false ? { log: { level: ClickHouseLogLevel.OFF } } : {}),
    });
  }

  migrate(): Promise<void> {
    this.migrated ??= (this.readOnly ? this.checkSchema() : this.runMigrations()).catch((error: unknown) => {
      this.migrated = undefined;
      throw toSinkError(this.target, error, 'migrate');
    });
    return this.migrated;
  }

  /**
   * ClickHouse has no transactional DDL; every statement is IF NOT EXISTS / OR REPLACE, so a
   * migration interrupted halfway, or run by two processes at once, is simply run again.
   */
  /** A read-only user's migrate: the schema must already be this release's (SELECT only). */
  private async checkSchema(): Promise<void> {
    const [row] = await this.rows<{ v: number | string }>('SELECT max(version) AS v FROM schema_migrations');
    assertSchemaVersion(this.target, Number(row?.v ?? 0), this.migrations);
  }

  private async runMigrations(): Promise<void> {
    // Any HTTP server accepts statements with a 200; only ClickHouse answers a query. Asked first,
    // as a migration would read such a server's empty answers as a database's (migration 7's
    // verified copy found "undefined events" differing).
    const answer = await this.rows<{ one: number }>('SELECT 1 AS one');
    if (Number(answer[0]?.one) !== 1) {
      throw new SinkConnectError(`answered, but not as clickhouse does (SELECT 1 gave ${JSON.stringify(answer).slice(0, 80)})`, {
        retriable: false,
      });
    }
    await this.client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
              ENGINE = ReplacingMergeTree ORDER BY version`,
    });
    const applied = new Set(
      (await this.rows<{ version: number }>('SELECT version FROM schema_migrations FINAL')).map((r) => Number(r.version)),
    );
    for (const migration of this.migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await this.client.command({ query: statement });
      await migration.apply?.(this.migrationContext());
      await this.client.insert({
        table: 'schema_migrations',
        values: [{ version: migration.version, name: migration.name }],
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: `migration-${migration.version}` },
      });
    }
  }

  private migrationContext(): ClickHouseMigrationContext {
    return {
      rows: (query, params) => this.rows(query, params),
      command: async (query) => {
        await this.client.command({ query });
      },
      insertChatEvents: (events) => this.insertChat(events),
    };
  }

  private insertChat(events: readonly ChatEvent[]): Promise<void> {
    return this.insertRows(
      'chat_event_rows',
      events.map((e) => e.event_id),
      events.map(clickhouseChatRow),
    );
  }

  /**
   * Rows as arrays in the SELECT's column order (JSONCompactEachRow): no key repeated per row,
   * which halves what a large read parses (readClickHouseChatEvents). `params` as in query().
   */
  async compactRows(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    await this.migrate();
    try {
      const result = await this.client.query({
        query: sql,
        format: 'JSONCompactEachRow',
        query_params: Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value])),
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      });
      return await result.json<unknown[]>();
    } catch (error) {
      throw toSinkError(this.target, error, 'query');
    }
  }

  private async rows<T>(query: string, query_params?: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({
      query,
      format: 'JSONEachRow',
      ...(query_params ? { query_params } : {}),
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return result.json<T>();
  }

  /**
   * Ids of these events that are already stored. The lookup is bounded to the batch's sent_at
   * range (partition and primary-key pruning), and reads only the stored ids of that range.
   * Together with the in-batch repeat count this makes `duplicates` exact for one writer; two
   * writers racing on the same ids both count them as inserted, and the ReplacingMergeTree
   * still keeps one row — except for an untimed line's copies (untimedCopies.ts), whose sent_at
   * differ: two consumers that write them in the same instant both store them (ClickHouse has no
   * lock to take; Postgres takes one, storedUntimedCopies.ts).
   */
  private async storedIds(lookup: {
    table: string;
    timeColumn: string;
    idSql: string;
    keyColumn: string;
    keyType: string;
    /** Only these channels' rows (the key's first column: a narrow read over a wide range). */
    channels?: readonly string[];
    items: readonly { event_id: string; key: string; t: number }[];
  }) {
    const stored = new Set<string>();
    const { items } = lookup;
    if (items.length === 0) return stored;
    let lo = Infinity;
    let hi = -Infinity;
    for (const item of items) {
      if (item.t < lo) lo = item.t;
      if (item.t > hi) hi = item.t;
    }
    for (const chunk of chunks(items, IDS_PER_LOOKUP)) {
      const found = await this.rows<{ event_id: string }>(
        `SELECT ${lookup.idSql} AS event_id FROM ${lookup.table}
         WHERE ${lookup.channels === undefined ? '' : 'channel IN {channels:Array(String)} AND '}${lookup.timeColumn} BETWEEN {lo:DateTime64(3, 'UTC')} AND {hi:DateTime64(3, 'UTC')} AND ${lookup.keyColumn} IN {ids:Array(${lookup.keyType})}`,
        {
          lo: clickhouseTime(lo),
          hi: clickhouseTime(hi),
          ids: chunk.map((i) => i.key),
          ...(lookup.channels === undefined ? {} : { channels: lookup.channels }),
        },
      );
      for (const row of found) stored.add(row.event_id);
    }
    return stored;
  }

  /** The events among `untimed` with a copy by content stored (an orphan's, untimedCopies.ts contentCopiesIn). */
  private async storedContentCopies(untimed: readonly UntimedEvent[]): Promise<Set<ChatEvent>> {
    const lookup = contentLookup(untimed);
    if (lookup === null) return new Set();
    const rows = await this.rows<{ event_id: string; raw: string; ms: string | number }>(
      `SELECT event_id, raw, toUnixTimestamp64Milli(sent_at) AS ms FROM chat_events
       WHERE channel IN {channels:Array(String)} AND kind IN {kinds:Array(String)}
         AND sent_at BETWEEN {lo:DateTime64(3, 'UTC')} AND {hi:DateTime64(3, 'UTC')}`,
      { channels: lookup.channels, kinds: lookup.kinds, lo: clickhouseTime(lookup.lo), hi: clickhouseTime(lookup.hi) },
    );
    return contentCopiesIn(
      untimed,
      rows.map((r) => ({ eventId: r.event_id, raw: r.raw, receivedAt: Number(r.ms) })),
    );
  }

  private async insertRows(table: string, ids: readonly string[], rows: readonly object[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.client.insert({
        table,
        values: rows.slice(i, i + ROWS_PER_INSERT),
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: dedupToken(ids.slice(i, i + ROWS_PER_INSERT)), async_insert: 0 },
      });
    }
  }

  async write(events: StreamEvent[]): Promise<WriteResult> {
    await this.migrate();
    const { chat, snapshots, untimed } = splitEvents(events);
    try {
      const storedChat = await this.storedIds({
        table: 'chat_event_rows',
        timeColumn: 'sent_at',
        idSql: EVENT_ID_SQL,
        keyColumn: 'event_uuid',
        keyType: 'UUID',
        items: chat.map((e) => ({ event_id: e.event_id, key: encodeEventId(e.event_id).uuid, t: e.sent_at })),
      });
      const storedSnapshots = await this.storedIds({
        table: 'stream_snapshots',
        timeColumn: 'captured_at',
        idSql: 'event_id',
        keyColumn: 'event_id',
        keyType: 'String',
        items: snapshots.map((s) => ({ event_id: s.event_id, key: s.event_id, t: s.captured_at })),
      });
      // An untimed event's copy has its own sent_at, maybe another id: looked for by channel, every id and a wider range (untimedCopies.ts).
      const storedUntimed = await this.storedIds({
        table: 'chat_event_rows',
        timeColumn: 'sent_at',
        idSql: EVENT_ID_SQL,
        keyColumn: 'event_uuid',
        keyType: 'UUID',
        channels: [...new Set(untimed.map((u) => u.event.channel))],
        items: untimed.flatMap(({ event, ids }) =>
          ids.flatMap((id) => {
            const key = encodeEventId(id).uuid;
            return [
              { event_id: id, key, t: event.sent_at - UNTIMED_COPY_MS },
              { event_id: id, key, t: event.sent_at + UNTIMED_COPY_MS },
            ];
          }),
        ),
      });
      const copies = new Set(untimed.filter((u) => anyStored(u.ids, storedUntimed)).map((u) => u.event));
      for (const event of await this.storedContentCopies(untimed)) copies.add(event);
      const newChat = chat.filter((e) => !storedChat.has(e.event_id) && !copies.has(e));
      const newSnapshots = snapshots.filter((s) => !storedSnapshots.has(s.event_id));
      await this.insertChat(newChat);
      await this.insertRows(
        'stream_snapshots',
        newSnapshots.map((s) => s.event_id),
        newSnapshots.map(snapshotRow),
      );
      const inserted = newChat.length + newSnapshots.length;
      return { inserted, duplicates: events.length - inserted };
    } catch (error) {
      throw toSinkError(this.target, error, 'write');
    }
  }

  /** `params[i]` binds to `{p<i+1>:Type}` in the SQL (ClickHouse's typed placeholders). */
  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    await this.migrate();
    const query_params = Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));
    try {
      if (!/^\s*(SELECT|WITH|SHOW|DESCRIBE|EXPLAIN|EXISTS)\b/i.test(sql)) {
        await this.client.command({ query: sql, ...(params.length ? { query_params } : {}) });
        return [];
      }
      return await this.rows<Record<string, unknown>>(sql, params.length ? query_params : undefined);
    } catch (error) {
      throw toSinkError(this.target, error, 'query');
    }
  }

  /**
   * Opt-out deletion (issue 18) as mutations that rewrite the parts holding the rows
   * (`mutations_sync = 2`: answered once done on every replica), not lightweight deletes, which
   * only mask rows until a merge: opted out means the bytes are gone. Counted first, so the
   * answer says how many went.
   */
  async deleteOptedOut(who: OptOutSelector): Promise<number> {
    await this.migrate();
    const params = { users: who.userIds, logins: who.userLogins, channelIds: who.channelIds, channels: who.channelLogins };
    const events = `has({users:Array(String)}, ifNull(user_id, '')) OR has({users:Array(String)}, ifNull(target_user_id, ''))
      OR has({logins:Array(String)}, ifNull(user_login, '')) OR has({logins:Array(String)}, ifNull(target_user_login, ''))
      OR has({channelIds:Array(String)}, ifNull(channel_id, '')) OR has({channelIds:Array(String)}, ifNull(source_channel_id, ''))
      OR has({channels:Array(String)}, channel)`;
    const snapshots = `has({channelIds:Array(String)}, channel_id) OR has({channels:Array(String)}, channel)`;
    try {
      const [counted] = await this.rows<{ n: string }>(
        `SELECT (SELECT count() FROM chat_event_rows FINAL WHERE ${events}) + (SELECT count() FROM stream_snapshots FINAL WHERE ${snapshots}) AS n`,
        params,
      );
      const n = Number(counted?.n ?? 0);
      if (n === 0) return 0;
      for (const [table, where] of [
        ['chat_event_rows', events],
        ['stream_snapshots', snapshots],
      ] as const)
        await this.client.command({
          query: `ALTER TABLE ${table} DELETE WHERE ${where} SETTINGS mutations_sync = 2`,
          query_params: params,
        });
      return n;
    } catch (error) {
      throw toSinkError(this.target, error, 'write');
    }
  }

  /**
   * Retention: whole month partitions before the cutoff are dropped (instant, no rewrite); the
   * rows before it in the straddling month are deleted by a mutation of that partition only.
   * (A table TTL would do the same at merge time, but when is up to the merges, and the limit
   * would be baked into the schema; this runs with RETENTION_DAYS as configured now.)
   */
  async applyRetention(cutoff: RetentionCutoff): Promise<number> {
    await this.migrate();
    let removed = 0;
    try {
      for (const [table, column, before] of [
        ['chat_event_rows', 'sent_at', cutoff.eventsBefore],
        ['stream_snapshots', 'captured_at', cutoff.snapshotsBefore],
      ] as const) {
        if (before === null) continue;
        const month = Number(new Date(before).toISOString().slice(0, 7).replace('-', ''));
        const parts = await this.rows<{ partition: string; rows: string }>(
          `SELECT partition, sum(rows) AS rows FROM system.parts WHERE active AND database = currentDatabase() AND table = {table:String} GROUP BY partition`,
          { table },
        );
        for (const part of parts) {
          if (Number(part.partition) >= month) continue;
          const [counted] = await this.rows<{ n: string }>(
            `SELECT count() AS n FROM ${table} FINAL WHERE toYYYYMM(${column}) = {p:UInt32}`,
            {
              p: Number(part.partition),
            },
          );
          removed += Number(counted?.n ?? 0);
          await this.client.command({
            query: `ALTER TABLE ${table} DROP PARTITION {p:UInt32}`,
            query_params: { p: Number(part.partition) },
          });
        }
        const [left] = await this.rows<{ n: string }>(
          `SELECT count() AS n FROM ${table} FINAL WHERE ${column} < fromUnixTimestamp64Milli({before:Int64})`,
          { before },
        );
        if (Number(left?.n ?? 0) === 0) continue;
        removed += Number(left!.n);
        await this.client.command({
          query: `ALTER TABLE ${table} DELETE IN PARTITION {p:UInt32} WHERE ${column} < fromUnixTimestamp64Milli({before:Int64}) SETTINGS mutations_sync = 2`,
          query_params: { p: month, before },
        });
      }
      return removed;
    } catch (error) {
      throw toSinkError(this.target, error, 'write');
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
